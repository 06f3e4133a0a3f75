/**
 * What joining and leaving cost a replica's hub as the rooms on it grow: N connections, each in a
 * room of its own (direct messages, small groups), all joined, then all gone. Pure bookkeeping, no
 * sockets or Redis: the per-connection cost a connect or disconnect storm adds on top of the
 * handshake. Prints µs per join and per disconnect at each N.
 *
 *   npm run bench:hub --workspace services/bench
 */
import type { Connection } from '../../../chat/src/connection.ts';
import { Hub } from '../../../chat/src/hub.ts';
import type { RoomSubscriptions } from '../../../chat/src/room-subscriptions.ts';

const subscriptions = { want: async () => {}, orphans: () => [] } as unknown as RoomSubscriptions;
const COUNTS = [1_000, 5_000, 20_000];
const ROUNDS = 3;

/** One storm: every connection joins its room (after the room-count check a join makes), then all leave. */
function storm(count: number): { joinUs: number; leaveUs: number } {
  const hub = new Hub(subscriptions, { delivered: () => {}, latency: () => {} });
  const connections = Array.from({ length: count }, (_, i) => ({ id: i }) as unknown as Connection);
  const joinStart = performance.now();
  for (const [i, connection] of connections.entries()) {
    hub.add(connection);
    if (hub.membershipsOf(connection).length >= 10) throw new Error('unexpected: over the room limit');
    void hub.addMember(connection, `room-${i}`, { id: String(i), name: 'x' }, false);
  }
  const leaveStart = performance.now();
  for (const connection of connections) hub.remove(connection);
  const end = performance.now();
  if (hub.size !== 0 || hub.roomCount !== 0) throw new Error('the hub kept connections or rooms');
  return { joinUs: ((leaveStart - joinStart) * 1000) / count, leaveUs: ((end - leaveStart) * 1000) / count };
}

const cell = (us: number, width: number) => us.toFixed(2).padStart(width);

console.log('connections (one room each)   join µs   disconnect µs   (best of 3)');
for (const count of COUNTS) {
  const runs = Array.from({ length: ROUNDS }, () => storm(count));
  const joinUs = Math.min(...runs.map((run) => run.joinUs));
  const leaveUs = Math.min(...runs.map((run) => run.leaveUs));
  console.log(`${String(count).padStart(27)}   ${cell(joinUs, 7)}   ${cell(leaveUs, 13)}`);
}
