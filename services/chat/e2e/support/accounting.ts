/**
 * Accounting for a fault drill: what happened to every message the chatters sent, and to every
 * delivery it owed. A delivery of message m to chatter r is *protected* when nothing excuses its
 * loss: m was acknowledged (its sender was connected and its replica's broker took it), and r sat
 * on one connection from before m was sent until well after the ack, on a replica whose broker was
 * up when m was sent. A protected delivery must never be lost. Every other missing delivery
 * happened to a socket that was being moved (or to a replica whose broker was not up yet) and is
 * counted, not judged: zero loss there needs history/recovery, a later piece of work.
 */
import type { LogLine } from '../../test/support/replica.ts';
import type { Chatter, SentMessage, Session } from './chatter.ts';

export interface Figures {
  sent: number;
  acked: number;
  refused: number;
  /** No ack and no error: the sender's connection ended first (the message may or may not have gone out). */
  unanswered: number;
  /** Acked messages times recipients: the deliveries owed. */
  owed: number;
  delivered: number;
  lost: number;
  protectedOwed: number;
  protectedLost: number;
  /** Unanswered messages that still reached someone: published, the ack lost with the connection. */
  unansweredDelivered: number;
  duplicates: number;
  /** Arrivals of a sender's message after a later one from the same sender. */
  outOfOrder: number;
}

export interface LostDelivery {
  text: string;
  recipient: string;
  session?: Session;
}

export interface AccountingOptions {
  /** How long after the ack a recipient's connection must stay open for the delivery to be owed. */
  graceMs: number;
  /** Whether `replica`'s broker was up at `at` (from its log lines); see brokerUpFromLogs. */
  brokerUp: (replica: string, at: number) => boolean;
  /** Only messages this accepts count (e.g. not those acked just before Redis was stopped). */
  counts?: (message: SentMessage) => boolean;
  /** End of the drill: connections still open count as open until then. */
  endedAt: number;
}

export function account(
  chatters: readonly Chatter[],
  options: AccountingOptions,
): { figures: Figures; protectedLosses: LostDelivery[] } {
  const counts = options.counts ?? (() => true);
  const messages = chatters.flatMap((chatter) => chatter.sent).filter(counts);
  const acked = messages.filter((message) => message.ackAt !== undefined);
  const unanswered = messages.filter((message) => message.ackAt === undefined && message.error === undefined);
  const figures: Figures = {
    sent: messages.length,
    acked: acked.length,
    refused: messages.filter((message) => message.error !== undefined).length,
    unanswered: unanswered.length,
    owed: acked.length * chatters.length,
    delivered: 0,
    lost: 0,
    protectedOwed: 0,
    protectedLost: 0,
    unansweredDelivered: unanswered.filter((message) => chatters.some((r) => r.received.has(message.text))).length,
    duplicates: chatters.reduce((sum, chatter) => sum + chatter.duplicates, 0),
    outOfOrder: chatters.reduce((sum, chatter) => sum + outOfOrder(chatter.arrivals), 0),
  };
  const protectedLosses: LostDelivery[] = [];
  for (const message of acked) {
    for (const recipient of chatters) {
      const got = recipient.received.has(message.text);
      if (got) figures.delivered++;
      else figures.lost++;
      const session = recipient.sessions.find(
        (s) => s.openedAt < message.sentAt && (s.closedAt ?? options.endedAt) >= (message.ackAt ?? 0) + options.graceMs,
      );
      if (session === undefined || !options.brokerUp(session.replica, message.sentAt)) continue;
      figures.protectedOwed++;
      if (!got) {
        figures.protectedLost++;
        protectedLosses.push({ text: message.text, recipient: recipient.name, session });
      }
    }
  }
  return { figures, protectedLosses };
}

/** From the replicas' log lines: was the broker of a replica up at a given time (the last broker event before it says so)? */
export function brokerUpFromLogs(
  logsOf: (replica: string) => readonly LogLine[],
): (replica: string, at: number) => boolean {
  const cache = new Map<string, { at: number; up: boolean }[]>();
  return (replica, at) => {
    let events = cache.get(replica);
    if (events === undefined) {
      // "broker down: messages are refused until it is back"; "listening" starts a (new) process.
      events = logsOf(replica)
        .filter((line) => line.msg === 'listening' || line.msg.startsWith('broker '))
        .map((line) => ({ at: Date.parse(String(line.time)), up: line.msg === 'broker up' }));
      cache.set(replica, events);
    }
    return events.filter((event) => event.at <= at).at(-1)?.up ?? false;
  };
}

function outOfOrder(arrivals: readonly string[]): number {
  const last = new Map<string, number>();
  let count = 0;
  for (const text of arrivals) {
    const [sender = '', seq = '0'] = text.split('#');
    const n = Number(seq);
    if (n < (last.get(sender) ?? 0)) count++;
    else last.set(sender, n);
  }
  return count;
}

/** The figures as lines for the test output. */
export function formatFigures(title: string, figures: Figures, extra: Record<string, string | number> = {}): string {
  const pct = (part: number, whole: number) => (whole === 0 ? '-' : `${((100 * part) / whole).toFixed(2)} %`);
  const rows: [string, string | number][] = [
    ['messages sent (on an open connection)', figures.sent],
    ['  acknowledged (broker took them)', figures.acked],
    ['  refused with an error frame', figures.refused],
    ['  unanswered (sender connection ended first)', figures.unanswered],
    ['    of which reached someone anyway', figures.unansweredDelivered],
    ['deliveries owed (acked x clients)', figures.owed],
    ['  delivered', `${figures.delivered} (${pct(figures.delivered, figures.owed)})`],
    ['  lost', `${figures.lost} (${pct(figures.lost, figures.owed)})`],
    ['  protected (recipient connected, its broker up)', figures.protectedOwed],
    ['    of which lost', figures.protectedLost],
    ['duplicates', figures.duplicates],
    ['out-of-order arrivals', figures.outOfOrder],
    ...Object.entries(extra),
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [`[${title}]`, ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)].join('\n');
}
