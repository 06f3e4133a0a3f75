import { describe, expect, it } from 'vitest';
import { planRooms } from './room-layout.ts';

/** members[room][replica]. */
function spread(plan: ReturnType<typeof planRooms>, rooms: number, replicas: number): number[][] {
  const counts = Array.from({ length: rooms }, () => new Array<number>(replicas).fill(0));
  for (const c of plan.clients) {
    const perReplica = counts[c.room] as number[];
    perReplica[c.replica] = (perReplica[c.replica] as number) + 1;
  }
  return counts;
}

describe('planRooms', () => {
  it('seats the defaults as 30 rooms of 10 with members on all 3 replicas, one sender per room', () => {
    const plan = planRooms({ clients: 300, replicas: 3, rooms: 30, sendersPerRoom: 1 });
    expect(plan.clients).toHaveLength(300);
    expect(plan.members).toEqual(new Array(30).fill(10));
    expect(plan.senders).toBe(30);
    for (const perReplica of spread(plan, 30, 3)) {
      expect(Math.min(...perReplica)).toBeGreaterThanOrEqual(3);
    }
    const senders = plan.clients.slice(0, plan.senders);
    expect(senders.map((c) => c.room)).toEqual(Array.from({ length: 30 }, (_, r) => r));
    // The senders take turns over the replicas: every replica sends for 10 rooms.
    expect(senders.filter((c) => c.replica === 0)).toHaveLength(10);
    // Round-robin over the replicas as in the other workloads: a third of the clients on each.
    expect(plan.clients.filter((c) => c.replica === 2)).toHaveLength(100);
  });

  it('keeps rooms within one member of each other, and puts several senders of a room on different replicas', () => {
    const plan = planRooms({ clients: 100, replicas: 3, rooms: 7, sendersPerRoom: 2 });
    expect(Math.max(...plan.members) - Math.min(...plan.members)).toBeLessThanOrEqual(1);
    expect(plan.members.reduce((a, b) => a + b, 0)).toBe(100);
    for (const perReplica of spread(plan, 7, 3)) expect(Math.min(...perReplica)).toBeGreaterThan(0);
    const senders = plan.clients.slice(0, plan.senders);
    expect(senders).toHaveLength(14);
    for (let room = 0; room < 7; room++) {
      const replicas = senders.filter((c) => c.room === room).map((c) => c.replica);
      expect(new Set(replicas).size, `room ${room}`).toBe(2);
    }
  });

  it('refuses more senders per room than the smallest room has members', () => {
    expect(() => planRooms({ clients: 20, replicas: 2, rooms: 6, sendersPerRoom: 4 })).toThrow(/only 3 members/);
  });
});
