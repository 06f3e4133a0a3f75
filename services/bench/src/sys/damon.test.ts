import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { damonMonitors, describeDamon } from './damon.ts';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A DAMON admin tree laid out as sysfs has it (files with a trailing newline). */
function adminTree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'damon-'));
  roots.push(root);
  for (const [path, value] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), `${value}\n`);
  }
  return root;
}

const context = (k: number, c: number, sampleUs: number, actions: string[]) => ({
  [`kdamonds/${k}/contexts/${c}/operations`]: 'paddr',
  [`kdamonds/${k}/contexts/${c}/monitoring_attrs/intervals/sample_us`]: String(sampleUs),
  [`kdamonds/${k}/contexts/${c}/schemes/nr_schemes`]: String(actions.length),
  ...Object.fromEntries(actions.map((action, s) => [`kdamonds/${k}/contexts/${c}/schemes/${s}/action`, action])),
});

it('reports each kdamond that is on, with its pace and actions, and skips those that are off', () => {
  const admin = adminTree({
    'kdamonds/nr_kdamonds': '2',
    'kdamonds/0/state': 'on',
    'kdamonds/0/pid': '77',
    ...context(0, 0, 500_000, ['pageout']),
    ...context(0, 1, 100_000, ['pageout', 'lru_prio']),
    'kdamonds/1/state': 'off',
    'kdamonds/1/pid': '-1',
    ...context(1, 0, 5_000, ['stat']),
  });
  const monitors = damonMonitors(admin);
  expect(monitors).toEqual([{ pid: 77, sampleMs: 100, operations: ['paddr'], actions: ['pageout', 'lru_prio'] }]);
  expect(describeDamon(monitors[0] as (typeof monitors)[0])).toBe(
    'kdamond (pid 77) samples paddr every 100 ms; pageout, lru_prio',
  );
});

it('finds none where the kernel has no DAMON', () => {
  expect(damonMonitors(join(tmpdir(), 'no-such-damon-admin'))).toEqual([]);
  expect(damonMonitors(adminTree({ 'kdamonds/nr_kdamonds': '0' }))).toEqual([]);
});
