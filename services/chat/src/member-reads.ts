/**
 * Reads of a room's member list, shared between the joins that want one at the same time. A join
 * needs a list read after its own member was added to presence, so a caller never gets a read that
 * had already started when it asked: it waits for the next one, which starts when the running one
 * ends and serves everybody who asked meanwhile. A storm of N joins into a room then costs a read at
 * a time, not N reads of a list as long as the room (O(N²) from Redis, which at a thousand joins
 * kept commands waiting past their timeout).
 */
import type { Member } from './protocol.ts';

export class SharedMemberReads {
  readonly #read: (room: string) => Promise<Member[]>;
  /** Per room, the read in flight. */
  readonly #running = new Map<string, Promise<Member[]>>();
  /** Per room, the read that starts when the running one ends, with everyone who asked since. */
  readonly #next = new Map<string, Promise<Member[]>>();

  constructor(read: (room: string) => Promise<Member[]>) {
    this.#read = read;
  }

  /** The room's members, as read after this call. The list is shared: callers must not change it. */
  members(room: string): Promise<Member[]> {
    const next = this.#next.get(room);
    if (next !== undefined) return next;
    const running = this.#running.get(room);
    if (running === undefined) return this.#start(room);
    const after = running.then(
      () => this.#startNext(room),
      () => this.#startNext(room),
    );
    this.#next.set(room, after);
    return after;
  }

  #startNext(room: string): Promise<Member[]> {
    this.#next.delete(room);
    return this.#start(room);
  }

  #start(room: string): Promise<Member[]> {
    const read = this.#read(room);
    this.#running.set(room, read);
    const done = () => {
      if (this.#running.get(room) === read) this.#running.delete(room);
    };
    read.then(done, done);
    return read;
  }
}
