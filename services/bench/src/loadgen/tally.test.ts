import { expect, it } from 'vitest';
import { Tally } from './tally.ts';

it('counts unique, duplicated and stale deliveries per client and sender', () => {
  const tally = new Tally();
  tally.reset(2, 2, 3);
  for (let seq = 0; seq < 5000; seq++) tally.record(0, 2, 1, seq, 100, seq);
  tally.record(0, 2, 1, 17, 100, 1); // a duplicate
  tally.record(1, 2, 1, 17, 100, 1); // the same message at another client: not a duplicate
  tally.record(1, 1, 1, 18, 100, 1); // a straggler of run 1
  tally.record(1, 2, 9, 0, 100, 1); // a sender that does not exist
  expect(tally.data()).toEqual({
    run: 2,
    received: 5002,
    unique: 5001,
    duplicated: 1,
    leaked: 0,
    stale: 2,
    lastRecvUs: 4999,
  });
  expect(tally.latency.total).toBe(5001);
  tally.reset(3, 2, 3);
  tally.record(0, 3, 1, 17, 100, 1);
  expect(tally.data().duplicated).toBe(0);
});

it('counts a message delivered to a client outside its room as leaked, not as a delivery', () => {
  const tally = new Tally();
  // Local clients 0 and 1 are in rooms 4 and 7; sender 0 talks in room 4, sender 1 in room 7.
  tally.reset(5, 2, 2, { ofClient: [4, 7], ofSender: [4, 7] });
  tally.record(0, 5, 0, 0, 100, 1); // room 4's message at room 4's member
  tally.record(1, 5, 1, 0, 100, 2); // room 7's message at room 7's member
  tally.record(1, 5, 0, 1, 100, 3); // room 4's message at room 7's member: a leak
  tally.record(1, 5, 0, 1, 100, 3); // the same leak again: still a leak, never a duplicate
  expect(tally.data()).toMatchObject({ received: 2, unique: 2, duplicated: 0, leaked: 2, stale: 0, lastRecvUs: 2 });
  expect(tally.latency.total).toBe(2);
  // Without rooms (fan-out), every client may get every message.
  tally.reset(6, 2, 2);
  tally.record(1, 6, 0, 0, 100, 1);
  expect(tally.data()).toMatchObject({ unique: 1, leaked: 0 });
});
