/**
 * A load generator process: holds its share of the clients, sends on its senders' schedule, and
 * tallies every delivery. Started by LoadGenerator (pool.ts) with child_process.fork; it does what
 * the IPC requests of messages.ts say and nothing on its own.
 */
import { BenchClient, type BenchClient as Client } from './client.ts';
import { type Dialect, dialects } from './dialects.ts';
import { Histogram } from './histogram.ts';
import { encodeMarker, monoUs, parsed, parseMarker } from './marker.ts';
import type {
  ClientSpec,
  CollectResult,
  OpenResult,
  ProgressResult,
  Request,
  RunResult,
  SenderSpec,
} from './messages.ts';
import { Tally } from './tally.ts';

const clients: Client[] = [];
const tally = new Tally();
const closeReasons: Record<string, number> = {};
let closed = 0;
/** Error frames of the current run by code: messages the server refused and told the sender about. */
let refused: Record<string, number> = {};

const handlers = {
  message(client: Client, bytes: Buffer, start: number, end: number, recvUs: number) {
    if (!parseMarker(bytes, start, end)) {
      noteError(bytes, start, end);
      return;
    }
    tally.record(client.slot, parsed.run, parsed.sender, parsed.seq, recvUs - parsed.sentUs, recvUs);
  },
  closed(_client: Client, reason: string) {
    closed++;
    count(closeReasons, reason);
  },
};

/** A frame without a marker: an error frame is counted by its code (rare, so parsed for real). */
function noteError(bytes: Buffer, start: number, end: number): void {
  const text = bytes.toString('utf8', start, Math.min(end, start + 400));
  if (!text.includes('"type":"error"')) return;
  const code = /"code":"([a-z_]+)"/.exec(text)?.[1] ?? 'unknown';
  refused[code] = (refused[code] ?? 0) + 1;
}

function count(counts: Record<string, number>, key: string): void {
  // Keep the reasons few: they name addresses and ports otherwise.
  const short = key.replace(/\d+\.\d+\.\d+\.\d+:\d+/g, 'ADDR').slice(0, 120);
  counts[short] = (counts[short] ?? 0) + 1;
}

async function open(dialect: Dialect, specs: ClientSpec[], concurrency: number, timeoutMs: number, deadlineMs: number) {
  const connect = new Histogram();
  const errors: Record<string, number> = {};
  let opened = 0;
  let failed = 0;
  let next = 0;
  const firstStartUs = monoUs();
  const deadlineUs = firstStartUs + deadlineMs * 1000;
  let lastReadyUs = firstStartUs;
  // A fixed number of lanes, each opening one client after another: bounded in-flight handshakes.
  const lane = async () => {
    for (;;) {
      const i = next++;
      const spec = specs[i];
      if (spec === undefined) return;
      const client = new BenchClient(clients.length, dialect, handlers);
      clients.push(client);
      if (monoUs() > deadlineUs) {
        failed++;
        count(errors, `not tried: the whole open took over ${deadlineMs} ms`);
        continue;
      }
      const started = monoUs();
      try {
        await client.open(spec, timeoutMs);
        lastReadyUs = monoUs();
        connect.record(lastReadyUs - started);
        opened++;
      } catch (error) {
        failed++;
        count(errors, (error as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, specs.length)) }, lane));
  return { opened, failed, errors, connect: connect.toData(), firstStartUs, lastReadyUs } satisfies OpenResult;
}

/**
 * Sends each sender's messages on its own fixed schedule (open loop: a late message does not push
 * the next one back). One timer for all senders, set for the earliest due message.
 */
function run(request: Extract<Request, { op: 'run' }>): Promise<RunResult> {
  const rooms =
    request.senderRooms === undefined
      ? undefined
      : { ofClient: clients.map((c) => c.room ?? -1), ofSender: request.senderRooms };
  tally.reset(request.run, clients.length, request.totalSenders, rooms);
  refused = {};
  const padding = request.padding > 0 ? ` ${'x'.repeat(request.padding)}` : '';
  const lag = new Histogram();
  const schedule = request.senders.map((spec: SenderSpec) => ({
    spec,
    client: clients[spec.slot],
    from: `b${spec.sender}`,
    seq: 0,
    sent: 0,
    dueUs: request.startUs + spec.offsetUs,
  }));
  let sent = 0;
  let firstSendUs = 0;
  let lastSendUs = 0;
  return new Promise((resolve) => {
    const tick = () => {
      let nextDue = Number.POSITIVE_INFINITY;
      for (const s of schedule) {
        let now = monoUs();
        while (s.seq < s.spec.count && s.dueUs <= now) {
          // A sender whose connection is gone sends nothing, so nothing is expected of it.
          if (s.client?.state === 'open') {
            const text = encodeMarker(request.run, s.spec.sender, s.seq, now) + padding;
            s.client.send(s.client.dialect.message(s.from, text, s.client.room));
            lag.record(now - s.dueUs);
            if (firstSendUs === 0) firstSendUs = now;
            lastSendUs = now;
            sent++;
            s.sent++;
          }
          s.seq++;
          s.dueUs += s.spec.intervalUs;
          now = monoUs();
        }
        if (s.seq < s.spec.count) nextDue = Math.min(nextDue, s.dueUs);
      }
      if (nextDue === Number.POSITIVE_INFINITY) {
        resolve({ sent, sentBySender: schedule.map((s) => s.sent), firstSendUs, lastSendUs, lag: lag.toData() });
        return;
      }
      setTimeout(tick, Math.max(0, (nextDue - monoUs()) / 1000));
    };
    tick();
  });
}

function progress(): ProgressResult {
  return { ...tally.data(), closed };
}

async function handle(request: Request): Promise<unknown> {
  switch (request.op) {
    case 'open':
      return open(
        dialects[request.dialect],
        request.clients,
        request.concurrency,
        request.timeoutMs,
        request.deadlineMs,
      );
    case 'run':
      return run(request);
    case 'progress':
      return progress();
    case 'collect':
      return { ...progress(), latency: tally.latency.toData(), closeReasons, refused } satisfies CollectResult;
    case 'close':
      for (const client of clients) client.destroy();
      clients.length = 0;
      closed = 0;
      for (const reason of Object.keys(closeReasons)) delete closeReasons[reason];
      return null;
  }
}

process.on('message', (message: Request & { id: number }) => {
  handle(message).then(
    (result) => process.send?.({ id: message.id, ok: true, result }),
    (error: unknown) => process.send?.({ id: message.id, ok: false, error: String((error as Error)?.stack ?? error) }),
  );
});
// The coordinator is gone: nothing left to do.
process.on('disconnect', () => process.exit(0));
