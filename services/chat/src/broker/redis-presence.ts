/**
 * Presence in Redis: per room, a sorted set of member ids scored by expiry (Redis time, ms) and a
 * hash of member data. Replicas refresh their members' expiry on a heartbeat; members of a replica
 * that stopped (crashed, or lost Redis) expire and are reaped by a surviving replica, which
 * announces them as gone. The scripts are in services/chat/lua/presence-*.lua.
 */
import type { Member } from '../protocol.ts';
import type { PresenceStore } from './broker.ts';
import type { ScriptCaller } from './redis-scripts.ts';

export class RedisPresence implements PresenceStore {
  readonly #call: ScriptCaller;
  readonly #keys: (room: string) => [string, string];
  readonly #ttlMs: number;

  constructor(call: ScriptCaller, keys: (room: string) => [string, string], ttlMs: number) {
    this.#call = call;
    this.#keys = keys;
    this.#ttlMs = ttlMs;
  }

  async add(room: string, member: Member): Promise<void> {
    await this.#call('chatPresenceAdd', ...this.#keys(room), member.id, JSON.stringify(member), this.#ttlMs);
  }

  async remove(room: string, memberId: string): Promise<Member | null> {
    const data = await this.#call('chatPresenceRemove', ...this.#keys(room), memberId);
    return typeof data === 'string' ? parseMember(data) : null;
  }

  async members(room: string): Promise<Member[]> {
    return parseMembers(await this.#call('chatPresenceMembers', ...this.#keys(room)));
  }

  async refresh(entries: readonly { room: string; memberId: string }[]): Promise<void> {
    const byRoom = new Map<string, string[]>();
    for (const { room, memberId } of entries) {
      const ids = byRoom.get(room);
      if (ids === undefined) byRoom.set(room, [memberId]);
      else ids.push(memberId);
    }
    await Promise.all(
      [...byRoom].map(([room, ids]) => this.#call('chatPresenceRefresh', ...this.#keys(room), this.#ttlMs, ...ids)),
    );
  }

  async reap(room: string): Promise<Member[]> {
    return parseMembers(await this.#call('chatPresenceReap', ...this.#keys(room)));
  }
}

function parseMembers(reply: unknown): Member[] {
  return Array.isArray(reply) ? reply.filter((data) => typeof data === 'string').map(parseMember) : [];
}

function parseMember(data: string): Member {
  const { id, name } = JSON.parse(data) as Member;
  return { id, name };
}
