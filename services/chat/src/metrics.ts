/**
 * Prometheus metrics. Each server gets its own registry (tests run several in one process); names
 * use base units and the `chat_` prefix, next to prom-client's default process and Node metrics.
 * Label values are bound once here, so the per-message path never looks a label up.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { FrameErrorCode } from './protocol.ts';

/** Why a client frame was refused; the `reason` label of chat_messages_rejected_total. */
export type RejectReason = FrameErrorCode | 'not_in_room' | 'rate_limited' | 'too_large' | 'binary' | 'invalid_utf8';

const REJECT_REASONS: readonly RejectReason[] = [
  'invalid_json',
  'invalid_frame',
  'empty_message',
  'from_too_long',
  'unknown_type',
  'invalid_room',
  'not_in_room',
  'rate_limited',
  'too_large',
  'binary',
  'invalid_utf8',
];

/**
 * How often prom-client's event-loop monitor samples (its default, pinned here because the
 * dashboard depends on it). Its `nodejs_eventloop_lag_*` gauges record the whole time between two
 * samples, so an idle replica reads this much; the dashboard's lag panel subtracts it.
 */
export const EVENT_LOOP_SAMPLE_MS = 10;

/** Why an upgrade to WebSocket was refused; the `reason` label of chat_upgrades_rejected_total. */
export type UpgradeRejectReason = 'origin' | 'starting' | 'shutting_down';

export interface ChatMetrics {
  registry: Registry;
  connectionsOpen: Gauge;
  connectionsAccepted: Counter;
  messagesReceived: Counter;
  messagesPublished: Counter;
  messagesDelivered: Counter;
  rejected: Record<RejectReason, { inc(): void }>;
  upgradesRejected: Record<UpgradeRejectReason, { inc(): void }>;
  publishErrors: Counter;
  brokerUp: Gauge;
  ready: Gauge;
  deliveryLatency: Histogram;
  slowConsumerDisconnects: Counter;
  heartbeatTimeouts: Counter;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  joins: Counter;
  joinErrors: Counter;
  historyMessagesSent: Counter;
  historyTruncated: Counter;
  presenceReaped: Counter;
}

/** What the room gauges read at scrape time (so the message path updates nothing for them). */
export interface RoomCounts {
  rooms(): number;
  subscriptions(): number;
  memberships(): number;
}

export function createMetrics(info: { version: string; replica: string; broker: string }): ChatMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  const registers = [registry];
  removeLintFailingDefaults(registry);

  new Gauge({
    name: 'chat_info',
    help: 'Constant 1, labelled with the build version, replica id and broker kind of this process.',
    labelNames: ['version', 'replica', 'broker'],
    registers,
  }).set(info, 1);

  const rejectedCounter = new Counter({
    name: 'chat_messages_rejected_total',
    help: 'Client frames refused, by reason (invalid, too large, rate limited...).',
    labelNames: ['reason'],
    registers,
  });
  const upgradesRejectedCounter = new Counter({
    name: 'chat_upgrades_rejected_total',
    help: 'WebSocket upgrades refused, by reason.',
    labelNames: ['reason'],
    registers,
  });

  return {
    registry,
    connectionsOpen: new Gauge({
      name: 'chat_connections_open',
      help: 'WebSocket connections currently open on this replica.',
      registers,
    }),
    connectionsAccepted: new Counter({
      name: 'chat_connections_accepted_total',
      help: 'WebSocket connections accepted since start.',
      registers,
    }),
    messagesReceived: new Counter({
      name: 'chat_messages_received_total',
      help: 'Frames received from clients on this replica, valid or not.',
      registers,
    }),
    messagesPublished: new Counter({
      name: 'chat_messages_published_total',
      help: 'Client messages accepted and handed to the broker by this replica.',
      registers,
    }),
    messagesDelivered: new Counter({
      name: 'chat_messages_delivered_total',
      help: 'Message frames written to client sockets on this replica (one per recipient).',
      registers,
    }),
    rejected: bindLabels(rejectedCounter, REJECT_REASONS),
    upgradesRejected: bindLabels(upgradesRejectedCounter, ['origin', 'starting', 'shutting_down'] as const),
    publishErrors: new Counter({
      name: 'chat_broker_publish_errors_total',
      help: 'Messages the broker did not take (down or timed out); each sender got an error frame.',
      registers,
    }),
    brokerUp: new Gauge({
      name: 'chat_broker_up',
      help: '1 while the broker connection can publish and receive, else 0.',
      registers,
    }),
    ready: new Gauge({
      name: 'chat_ready',
      help: '1 while /readyz answers 200 (broker up and not shutting down), else 0.',
      registers,
    }),
    deliveryLatency: new Histogram({
      name: 'chat_delivery_latency_seconds',
      help: 'From the origin replica accepting a message to this replica writing it to its sockets.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    slowConsumerDisconnects: new Counter({
      name: 'chat_slow_consumer_disconnects_total',
      help: 'Connections dropped because the client did not read and its send buffer passed MAX_BUFFERED_BYTES.',
      registers,
    }),
    heartbeatTimeouts: new Counter({
      name: 'chat_heartbeat_timeouts_total',
      help: 'Connections dropped because the client did not answer a ping within PING_INTERVAL_MS.',
      registers,
    }),
    joins: new Counter({
      name: 'chat_joins_total',
      help: 'Room joins completed on this replica (history and member list sent).',
      registers,
    }),
    joinErrors: new Counter({
      name: 'chat_join_errors_total',
      help: 'Room joins that failed because the broker was unavailable.',
      registers,
    }),
    historyMessagesSent: new Counter({
      name: 'chat_history_messages_sent_total',
      help: 'Messages sent from room history on joins (recovery after a reconnect, or recent history).',
      registers,
    }),
    historyTruncated: new Counter({
      name: 'chat_history_truncated_total',
      help: 'Joins whose "since" was older than the history kept, so the client was told of a gap.',
      registers,
    }),
    presenceReaped: new Counter({
      name: 'chat_presence_reaped_total',
      help: 'Members removed from presence because their replica stopped refreshing them (crash).',
      registers,
    }),
    httpDuration: new Histogram({
      name: 'chat_http_request_duration_seconds',
      help: 'HTTP request duration by method, route and status (WebSocket upgrades excluded).',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
  };
}

/** Gauges of this replica's rooms, read from the hub when Prometheus scrapes. */
export function registerRoomGauges(metrics: ChatMetrics, counts: RoomCounts): void {
  const gauges = [
    { name: 'chat_rooms_active', help: 'Rooms with at least one member on this replica.', read: counts.rooms },
    {
      name: 'chat_room_subscriptions',
      help: 'Room channels this replica is subscribed to in the broker.',
      read: counts.subscriptions,
    },
    {
      name: 'chat_room_memberships',
      help: 'Memberships (a connection in a room) on this replica.',
      read: counts.memberships,
    },
  ];
  for (const { name, help, read } of gauges) {
    new Gauge({
      name,
      help,
      registers: [metrics.registry],
      collect() {
        this.set(read());
      },
    });
  }
}

/**
 * prom-client exports three totals as gauges named like counters (`nodejs_active_*_total`), which
 * `promtool check metrics` rejects. They add nothing: the same counts, grouped by type, are in its
 * `nodejs_active_handles`, `nodejs_active_requests` and `nodejs_active_resources` gauges.
 */
function removeLintFailingDefaults(registry: Registry): void {
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(name);
  }
}

/** Binds one child per label value up front, so every value shows as 0 before it first happens. */
function bindLabels<T extends string>(counter: Counter<'reason'>, reasons: readonly T[]): Record<T, { inc(): void }> {
  const bound = {} as Record<T, { inc(): void }>;
  for (const reason of reasons) {
    counter.inc({ reason }, 0);
    bound[reason] = counter.labels(reason);
  }
  return bound;
}
