/**
 * What one generator process saw during one run: every chat frame counted per receiving client and
 * per (sender, seq), so a message that never arrived at a client is counted lost and one that
 * arrived twice is counted duplicated, exactly, and its latency recorded once per delivery. With
 * rooms, a message whose sender is in another room than the client that got it is counted leaked
 * (and nothing else: it is no delivery).
 */
import { Histogram } from './histogram.ts';

export interface TallyData {
  run: number;
  /** Chat frames of this run received, duplicates included. */
  received: number;
  /** Distinct (client, sender, seq) deliveries. */
  unique: number;
  duplicated: number;
  /** Messages of this run delivered to a client outside the sender's room (rooms only; must be 0). */
  leaked: number;
  /** Frames from another run (a straggler of the previous one) or an unknown sender. */
  stale: number;
  /** Monotonic µs of the last delivery of this run. */
  lastRecvUs: number;
}

/** Who is in which room, by number: each local client's (by slot) and each sender's. */
export interface RoomMembership {
  ofClient: readonly number[];
  ofSender: readonly number[];
}

export class Tally {
  run = -1;
  received = 0;
  unique = 0;
  duplicated = 0;
  leaked = 0;
  stale = 0;
  lastRecvUs = 0;
  latency = new Histogram();
  #rooms: RoomMembership | undefined;
  /** seen[client slot][sender]: one bit per seq, grown as seqs come. */
  #seen: (Uint8Array | undefined)[][] = [];
  #senders = 0;

  /**
   * Starts counting `run` for `clients` local clients and `senders` senders in all; with `rooms`,
   * only the sender's room may receive its messages.
   */
  reset(run: number, clients: number, senders: number, rooms?: RoomMembership): void {
    this.run = run;
    this.received = 0;
    this.unique = 0;
    this.duplicated = 0;
    this.leaked = 0;
    this.#rooms = rooms;
    this.stale = 0;
    this.lastRecvUs = 0;
    this.latency = new Histogram();
    this.#senders = senders;
    this.#seen = Array.from({ length: clients }, () => new Array<Uint8Array | undefined>(senders));
  }

  record(slot: number, run: number, sender: number, seq: number, latencyUs: number, recvUs: number): void {
    const perSender = this.#seen[slot];
    if (run !== this.run || sender >= this.#senders || perSender === undefined) {
      this.stale++;
      return;
    }
    if (this.#rooms !== undefined && this.#rooms.ofSender[sender] !== this.#rooms.ofClient[slot]) {
      this.leaked++;
      return;
    }
    this.received++;
    const byte = seq >>> 3;
    let bits = perSender[sender];
    if (bits === undefined || byte >= bits.length) {
      const grown = new Uint8Array(Math.max(64, 2 ** Math.ceil(Math.log2(byte + 1))));
      if (bits !== undefined) grown.set(bits);
      bits = grown;
      perSender[sender] = bits;
    }
    const mask = 1 << (seq & 7);
    if (((bits[byte] as number) & mask) !== 0) {
      this.duplicated++;
      return;
    }
    bits[byte] = (bits[byte] as number) | mask;
    this.unique++;
    this.latency.record(latencyUs);
    if (recvUs > this.lastRecvUs) this.lastRecvUs = recvUs;
  }

  data(): TallyData {
    return {
      run: this.run,
      received: this.received,
      unique: this.unique,
      duplicated: this.duplicated,
      leaked: this.leaked,
      stale: this.stale,
      lastRecvUs: this.lastRecvUs,
    };
  }
}
