/**
 * What the benchmark (coordinator) and its load generator processes say to each other over the
 * IPC channel of child_process.fork. Each request carries an id its response repeats.
 */
import type { ClientIdentity, DialectName } from './dialects.ts';
import type { HistogramData } from './histogram.ts';
import type { TallyData } from './tally.ts';

/** Where a client connects, and (room dialects only) the room it joins there under which name. */
export interface ClientSpec extends ClientIdentity {
  host: string;
  port: number;
  localAddress?: string;
}

export interface SenderSpec {
  /** Sender number across all generator processes: 0 .. senders-1. */
  sender: number;
  /** Which of this process's clients sends. */
  slot: number;
  /** Messages to send in the run. */
  count: number;
  intervalUs: number;
  /** Delay of this sender's first message after the run's start, spreading senders over the interval. */
  offsetUs: number;
}

export type Request =
  | {
      op: 'open';
      dialect: DialectName;
      clients: ClientSpec[];
      /** Handshakes in flight at once. */
      concurrency: number;
      /** Per connection, from connect to ready. */
      timeoutMs: number;
      /** For the whole request: clients not started by then fail without trying (a stalled server). */
      deadlineMs: number;
    }
  | {
      op: 'run';
      run: number;
      senders: SenderSpec[];
      totalSenders: number;
      /**
       * With rooms: the room of every sender (all processes', by sender number), so a receiver can
       * tell a message of its own room from one that leaked out of another.
       */
      senderRooms?: number[];
      startUs: number;
      padding: number;
    }
  | { op: 'progress' }
  | { op: 'collect' }
  | { op: 'close' };

export interface OpenResult {
  opened: number;
  failed: number;
  /** A few failure reasons, with their counts. */
  errors: Record<string, number>;
  /** Time from starting the connect to ready, per client, µs. */
  connect: HistogramData;
  firstStartUs: number;
  lastReadyUs: number;
}

export interface RunResult {
  sent: number;
  /** Messages sent by each of this process's senders, in the order of the request's `senders`. */
  sentBySender: number[];
  firstSendUs: number;
  lastSendUs: number;
  /** How late the generator sent, behind schedule (µs): a generator that lags shows here. */
  lag: HistogramData;
}

export interface ProgressResult extends TallyData {
  /** Clients whose connection ended (they are missing deliveries). */
  closed: number;
}

export interface CollectResult extends ProgressResult {
  latency: HistogramData;
  closeReasons: Record<string, number>;
  /** Error frames received, by code: messages the server refused (the sender was told). */
  refused: Record<string, number>;
}

export type Response = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
