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
  expect(tally.data()).toEqual({ run: 2, received: 5002, unique: 5001, duplicated: 1, stale: 2, lastRecvUs: 4999 });
  expect(tally.latency.total).toBe(5001);
  tally.reset(3, 2, 3);
  tally.record(0, 3, 1, 17, 100, 1);
  expect(tally.data().duplicated).toBe(0);
});
