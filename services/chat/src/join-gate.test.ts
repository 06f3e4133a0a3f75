import { describe, expect, it } from 'vitest';
import { JoinGate } from './join-gate.ts';

/** A task that runs until the test ends it, recording when it started. */
function controlledTasks() {
  const started: number[] = [];
  const finishers = new Map<number, { finish: () => void; fail: () => void }>();
  const task = (n: number) => () =>
    new Promise<number>((resolve, reject) => {
      started.push(n);
      finishers.set(n, { finish: () => resolve(n), fail: () => reject(new Error(`task ${n} failed`)) });
    });
  return {
    started,
    task,
    end: (n: number) => finishers.get(n)?.finish(),
    fail: (n: number) => finishers.get(n)?.fail(),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('JoinGate', () => {
  it('runs at most its limit at once, the others in the order they came, each as one ends or fails', async () => {
    const gate = new JoinGate(2);
    const tasks = controlledTasks();
    const results = Promise.allSettled([1, 2, 3, 4, 5].map((n) => gate.run(tasks.task(n))));
    await settle();
    expect(tasks.started).toEqual([1, 2]);

    tasks.end(2);
    await settle();
    expect(tasks.started).toEqual([1, 2, 3]);
    tasks.fail(1); // a failure frees its place too
    await settle();
    expect(tasks.started).toEqual([1, 2, 3, 4]);
    tasks.end(3);
    tasks.end(4);
    await settle();
    tasks.end(5);
    expect((await results).map((r) => r.status)).toEqual([
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);

    const later = gate.run(tasks.task(6)); // all places free again: at once
    await settle();
    expect(tasks.started.at(-1)).toBe(6);
    tasks.end(6);
    expect(await later).toBe(6);
  });
});
