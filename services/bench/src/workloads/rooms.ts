/**
 * Rooms: the --clients divided over --rooms rooms, each room with members on every replica, and
 * --room-senders members of each room sending --rate messages a second in all, open loop, for
 * --duration after a warm-up: the fan-out's measurement on another layout. A message is for the
 * members of its room, the sender included (docs/protocol.md: "The sender gets its own message
 * too"); one that reaches a client of another room is a leak, counted apart and never delivered.
 */
import type { ClientSpec } from '../loadgen/messages.ts';
import type { SystemUnderTest } from '../systems/system.ts';
import type { BenchContext } from './context.ts';
import type { Deployment } from './deploy.ts';
import { type FixedRateStats, fixedRateRun } from './fixed-rate.ts';
import { planRooms, type RoomLayoutPlan } from './room-layout.ts';
import { withSession } from './session.ts';

export interface RoomsResult extends FixedRateStats {
  system: string;
  round: number;
  rooms: number;
  sendersPerRoom: number;
  /** Members of the smallest and of the largest room. */
  members: { min: number; max: number };
}

/** Runs the rooms workload on a system that has rooms (`system.roomDialect`), on its own deployment. */
export async function roomsWorkload(
  ctx: BenchContext,
  system: SystemUnderTest,
  round: number,
  options: { cpuProfileDir?: string } = {},
): Promise<RoomsResult> {
  const dialect = system.roomDialect;
  if (dialect === undefined) throw new Error(`${system.name} has no rooms`);
  const { clients, rooms, roomSenders } = ctx.options;
  let plan: RoomLayoutPlan | undefined;
  const layout = (deployment: Deployment) => {
    plan = planRooms({ clients, replicas: deployment.replicas, rooms, sendersPerRoom: roomSenders });
    const targets = plan.clients.map(
      (seat, i): ClientSpec => ({ ...deployment.target(seat.replica), room: seat.room, name: `c${i}` }),
    );
    // One message from every room's first sender proves every room delivers on every replica.
    return { dialect, targets, settleSenders: rooms };
  };
  return withSession(ctx, system, { layout, cpuProfileDir: options.cpuProfileDir }, async (deployment) => {
    const { senders, members } = plan as RoomLayoutPlan;
    const stats = await fixedRateRun(ctx, deployment, senders);
    return {
      system: system.name,
      round,
      rooms,
      sendersPerRoom: roomSenders,
      members: { min: Math.min(...members), max: Math.max(...members) },
      ...stats,
    };
  });
}
