import { describe, expect, it } from 'vitest';
import { SharedMemberReads } from './member-reads.ts';
import type { Member } from './protocol.ts';

/** A member store whose reads finish when the test says, each returning the members at its start. */
function controlledStore() {
  const members: Member[] = [];
  const reads: { room: string; finish: () => void; fail: () => void }[] = [];
  const read = (room: string) =>
    new Promise<Member[]>((resolve, reject) => {
      const atStart = [...members];
      reads.push({ room, finish: () => resolve(atStart), fail: () => reject(new Error('Redis did not answer')) });
    });
  const add = (id: string) => members.push({ id, name: id });
  const ids = async (list: Promise<Member[]>) => (await list).map((m) => m.id);
  return { read, reads, add, ids };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('SharedMemberReads', () => {
  it('gives every caller a read that started after it asked, one read at a time, shared by those who asked meanwhile', async () => {
    const store = controlledStore();
    const shared = new SharedMemberReads(store.read);
    store.add('a');
    const first = shared.members('room');
    store.add('b'); // added after the first read started: its join must not get that read
    const second = shared.members('room');
    store.add('c');
    const third = shared.members('room');
    expect(store.reads).toHaveLength(1);

    store.reads[0]?.finish();
    await settle();
    expect(store.reads).toHaveLength(2); // the next read starts when the running one ends
    store.reads[1]?.finish();
    expect(await store.ids(first)).toEqual(['a']);
    expect(await store.ids(second)).toEqual(['a', 'b', 'c']);
    expect(await second).toBe(await third); // one list, shared
  });

  it('keeps rooms apart, and after a failed read the next caller starts a new one', async () => {
    const store = controlledStore();
    const shared = new SharedMemberReads(store.read);
    store.add('a');
    const one = shared.members('one');
    const other = shared.members('other');
    expect(store.reads.map((r) => r.room)).toEqual(['one', 'other']);

    const waiting = shared.members('one');
    store.reads[0]?.fail();
    await expect(one).rejects.toThrow('Redis did not answer');
    await settle();
    store.reads[2]?.finish(); // a failed read's successor still runs for those who waited
    expect(await store.ids(waiting)).toEqual(['a']);
    store.reads[1]?.finish();
    expect(await store.ids(other)).toEqual(['a']);

    const later = shared.members('one'); // nothing running: a read of its own, at once
    expect(store.reads).toHaveLength(4);
    store.reads[3]?.finish();
    expect(await store.ids(later)).toEqual(['a']);
  });
});
