/**
 * The Hono app and its routes, wired to the broker, hub and relay:
 *   GET /         the chat page (public/)
 *   GET /ws       WebSocket endpoint
 *   GET /healthz  liveness;  GET /readyz  readiness;  GET /metrics  Prometheus
 */
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createAdaptorServer, upgradeWebSocket } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { serveStatic } from '@hono/node-server/serve-static';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Broker, BrokerHandlers } from './broker/broker.ts';
import { MemoryBroker } from './broker/memory.ts';
import { RedisBroker } from './broker/redis.ts';
import { type Config, redactRedisUrl } from './config.ts';
import { Connection, type ConnectionContext, type ConnectionInfo } from './connection.ts';
import { Hub } from './hub.ts';
import { connectionId } from './ids.ts';
import type { Logger } from './log.ts';
import { type ChatMetrics, createMetrics, registerRoomGauges } from './metrics.ts';
import { isOriginAllowed } from './origin.ts';
import {
  CloseCode,
  DEFAULT_ROOM,
  isMessageId,
  isRoomName,
  type JoinRequest,
  MAX_NAME_CHARS,
  roomRule,
} from './protocol.ts';
import { Relay } from './relay.ts';
import { RoomSubscriptions } from './room-subscriptions.ts';
import { Rooms } from './rooms.ts';
import { answerRefusedUpgrades, isWebSocketUpgrade } from './upgrade-refusal.ts';

export interface ChatServer {
  readonly metrics: ChatMetrics;
  /** Starts listening; resolves with the bound address. */
  listen(): Promise<AddressInfo>;
  /**
   * Graceful stop: readiness off and new upgrades refused at once, then SHUTDOWN_DELAY_MS for load
   * balancers to notice, then every socket closed with 1001 and the broker released. Sockets that
   * have not finished closing by `deadline` (epoch ms) are destroyed.
   */
  shutdown(deadline: number): Promise<void>;
}

const PUBLIC_DIR = fileURLToPath(new URL('../public', import.meta.url));
const KNOWN_ROUTES = new Set(['/', '/healthz', '/readyz', '/metrics']);
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

export function createChatServer(config: Config, options: { log: Logger; version: string }): ChatServer {
  const { log } = options;
  const brokerKind = config.redisUrl === null ? 'memory' : 'redis';
  const metrics = createMetrics({ version: options.version, replica: config.replicaId, broker: brokerKind });
  let shuttingDown = false;
  // Until the broker has been up once, a new client could neither send nor receive: refuse the
  // upgrade so the load balancer's retry lands on a replica that can chat. (After that, an outage
  // keeps sockets open and answers each message with an error, the same on every replica.)
  let brokerEverUp = false;

  const handlers: BrokerHandlers = {
    onMessage: (room, frame, id, acceptedAt) => relay.deliver(room, frame, id, acceptedAt),
    onStatus: (up, cause) => {
      brokerEverUp ||= up;
      metrics.brokerUp.set(up ? 1 : 0);
      updateReady();
      if (up) log.info({ broker: brokerKind }, 'broker up');
      else log.warn({ broker: brokerKind, err: cause }, 'broker down: messages are refused until it is back');
    },
  };
  const history = { size: config.historySize, ttlSeconds: config.historyTtlSeconds };
  const broker: Broker =
    config.redisUrl === null
      ? new MemoryBroker(handlers, { history, presenceTtlMs: config.presenceTtlMs })
      : new RedisBroker(
          {
            url: config.redisUrl,
            connectionName: `chat:${config.replicaId}`,
            log,
            prefix: config.channel,
            history,
            presenceTtlMs: config.presenceTtlMs,
          },
          handlers,
        );
  const hub = new Hub(
    new RoomSubscriptions(broker),
    {
      delivered: (count) => metrics.messagesDelivered.inc(count),
      latency: (ms) => metrics.deliveryLatency.observe(Math.max(0, ms) / 1000),
    },
    config.writeIntervalMs,
  );
  const relay = new Relay({ broker, hub });
  const rooms = new Rooms({
    hub,
    broker,
    metrics,
    log,
    maxRoomsPerConnection: config.maxRoomsPerConnection,
    historySize: config.historySize,
    presenceTtlMs: config.presenceTtlMs,
  });
  registerRoomGauges(metrics, {
    rooms: () => hub.roomCount,
    subscriptions: () => hub.subscriptions.count,
    memberships: () => hub.membershipCount,
  });

  const isReady = () => broker.isUp() && !shuttingDown;
  const updateReady = () => metrics.ready.set(isReady() ? 1 : 0);
  brokerEverUp = broker.isUp();
  metrics.brokerUp.set(brokerEverUp ? 1 : 0);
  updateReady();

  const connectionContext: ConnectionContext = {
    metrics,
    log,
    rateLimit: config.rateLimit,
    maxBufferedBytes: config.maxBufferedBytes,
    publish: (message) => relay.publish(message),
    isMember: (connection, room) => hub.membership(connection, room) !== undefined,
    join: (connection, request) => rooms.join(connection, request),
    leave: (connection, request) => rooms.leave(connection, request),
    onClose: (connection, code, reason) => {
      void rooms.departAll(hub.remove(connection));
      metrics.connectionsOpen.dec();
      connection.closed(code, reason);
    },
  };

  // `opening`: the upgrade's joins, parsed once by the route's first handler for the ones after it.
  const app = new Hono<{ Variables: { opening: Opening } }>();
  app.use(httpMetrics(metrics, config.replicaId));

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', (c) => {
    const body = { replica: config.replicaId, broker: broker.kind, connections: hub.size };
    if (isReady()) return c.json({ status: 'ready', ...body });
    const reasons = [...(broker.isUp() ? [] : ['broker_down']), ...(shuttingDown ? ['shutting_down'] : [])];
    return c.json({ status: 'not_ready', reasons, ...body }, 503);
  });
  app.get('/metrics', async (c) => {
    const text = await metrics.registry.metrics();
    return c.body(text, 200, { 'Content-Type': metrics.registry.contentType });
  });

  app.get(
    '/ws',
    upgradeGuard(config, metrics, () => (shuttingDown ? 'shutting_down' : brokerEverUp ? null : 'starting')),
    async (c, next) => {
      const opening = connectJoins(c.req.queries());
      if ('error' in opening) return c.json({ error: opening.error }, 400);
      c.set('opening', opening);
      // Subscribe to the rooms before answering the upgrade, so that a client that sends at once
      // (the article's does) is already receiving its room when it sees the socket open.
      await Promise.all(opening.joins.map((join) => hub.subscriptions.want(join.room, true))).catch(() => {});
      return next();
    },
    upgradeWebSocket((c) => {
      const opening: Opening = c.get('opening');
      const info = clientInfo(c, opening.name);
      const opened = { origin: c.req.header('origin'), ua: c.req.header('user-agent') };
      let connection: Connection | undefined;
      return {
        onOpen(_event, ws) {
          const accepted = new Connection(ws.raw as WebSocket, info, connectionContext);
          connection = accepted;
          queueMicrotask(() => accepted.claimSocket());
          hub.add(accepted);
          metrics.connectionsAccepted.inc();
          metrics.connectionsOpen.inc();
          log.info({ conn: info.id, ip: info.ip, peer: info.peer, ...opened }, 'connection opened');
          // An upgrade that raced past the guard as shutdown began: send it on its way.
          if (shuttingDown) accepted.close(CloseCode.goingAway, 'server shutting down');
          else for (const join of opening.joins) void rooms.join(accepted, join, opening.quiet);
        },
        // Only frames that arrived before the socket was claimed come this way (the helper
        // replays them after onOpen); the connection listens to its socket itself after that.
        onMessage(event) {
          connection?.receive(typeof event.data === 'string' ? event.data : null);
        },
      };
    }),
    (c) => c.json({ error: 'this endpoint speaks WebSocket: send an Upgrade: websocket request' }, 426),
  );

  app.use('*', secureHeaders({ contentSecurityPolicy: { defaultSrc: ["'self'"], connectSrc: ["'self'"] } }));
  app.get('*', serveStatic({ root: PUBLIC_DIR }));

  // maxPayload makes ws close oversize frames with 1009 before buffering them whole.
  // perMessageDeflate is off: a zlib context per socket costs far more memory than chat text
  // saves, and a compressed broadcast would have to be compressed again for every socket.
  // clientTracking is off because the hub already tracks sockets. bufferutil (a dependency)
  // speeds up unmasking client frames; utf-8-validate is not installed because ws validates
  // text with Node's own buffer.isUtf8 when it exists (Node >= 18.14).
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.maxMessageBytes,
    perMessageDeflate: false,
    clientTracking: false,
  });
  // Without createServer/serverOptions the adaptor makes a plain node:http server.
  const server = createAdaptorServer({
    fetch: answerRefusedUpgrades(app.fetch),
    websocket: { server: wss },
  }) as HttpServer;

  let shutdownPromise: Promise<void> | undefined;
  return {
    metrics,

    async listen() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      hub.startHeartbeat(config.pingIntervalMs);
      rooms.startPresence();
      const address = server.address() as AddressInfo;
      log.info(
        {
          port: address.port,
          broker: broker.kind,
          redis: config.redisUrl === null ? undefined : redactRedisUrl(config.redisUrl),
          channel: config.channel,
          version: options.version,
        },
        'listening',
      );
      return address;
    },

    shutdown(deadline) {
      shutdownPromise ??= (async () => {
        shuttingDown = true;
        updateReady();
        log.info({ delayMs: config.shutdownDelayMs, connections: hub.size }, 'shutting down');
        if (config.shutdownDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs));
        server.close();
        server.closeIdleConnections();
        hub.stopHeartbeat();
        rooms.stopPresence();
        await hub.closeAll(CloseCode.goingAway, 'server shutting down', deadline);
        // The closed sockets' members leave presence (and say so) before the broker goes.
        await rooms.settled(deadline);
        await broker.close();
        server.closeAllConnections();
      })();
      return shutdownPromise;
    },
  };
}

/**
 * Refuses upgrades while this replica cannot take clients (503: starting before its broker first
 * connected, or shutting down) and from foreign browser origins (403).
 */
function upgradeGuard(
  config: Config,
  metrics: ChatMetrics,
  unavailable: () => 'starting' | 'shutting_down' | null,
): MiddlewareHandler {
  return async (c, next) => {
    if (!isWebSocketUpgrade(c.req.header('upgrade'))) return next();
    const reason = unavailable();
    if (reason !== null) {
      metrics.upgradesRejected[reason].inc();
      return c.json(
        { error: reason === 'starting' ? 'starting: the broker is not connected yet' : 'shutting down' },
        503,
      );
    }
    const origin = {
      origin: c.req.header('origin'),
      host: c.req.header('host'),
      forwardedHost: c.req.header('x-forwarded-host'),
    };
    if (!isOriginAllowed(origin, config.allowedOrigins)) {
      metrics.upgradesRejected.origin.inc();
      return c.json({ error: `origin ${origin.origin} is not allowed` }, 403);
    }
    return next();
  };
}

function clientInfo(c: Context, name: string): ConnectionInfo {
  const peer = getConnInfo(c).remote.address ?? 'unknown';
  const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
  return { id: connectionId(), ip: forwarded || peer, peer, name };
}

interface Opening {
  /** Rooms to join at connect. */
  joins: JoinRequest[];
  /** No parameters at all: an article client, which gets messages only (see Hub.Membership). */
  quiet: boolean;
  name: string;
}

/** The URL's spellings of `presence` (docs/protocol.md). */
const PRESENCE_VALUES = new Map([
  ['1', true],
  ['true', true],
  ['0', false],
  ['false', false],
]);

/**
 * The joins asked for in the upgrade URL:
 * `/ws?room=a&room=b&since=<id>&history=<n>&name=<name>&presence=0` (`since` applies to a single
 * room, the others to every room). No room joins the default room.
 */
function connectJoins(query: Record<string, string[]>): Opening | { error: string } {
  const one = (key: string) => query[key]?.[0];
  const rooms = query.room ?? [];
  const since = one('since');
  const history = one('history');
  const name = one('name') ?? '';
  const presenceText = one('presence');
  const presence = presenceText === undefined ? undefined : PRESENCE_VALUES.get(presenceText);
  for (const room of rooms) if (!isRoomName(room)) return { error: roomRule(`room ${JSON.stringify(room)}`) };
  if (since !== undefined && (!isMessageId(since) || rooms.length > 1)) {
    return { error: '"since" must be a message id, with at most one room' };
  }
  if (history !== undefined && !/^\d{1,7}$/.test(history)) return { error: '"history" must be a whole number' };
  if ([...name].length > MAX_NAME_CHARS) return { error: `"name" must be at most ${MAX_NAME_CHARS} characters` };
  if (presenceText !== undefined && presence === undefined) {
    return { error: `"presence" must be one of ${[...PRESENCE_VALUES.keys()].join(', ')}` };
  }
  const quiet = Object.keys(query).length === 0;
  const joins = (rooms.length > 0 ? rooms : [DEFAULT_ROOM]).map((room) => {
    const join: JoinRequest = { room };
    if (since !== undefined) join.since = since;
    if (history !== undefined) join.history = Number(history);
    if (name !== '') join.name = name;
    if (presence !== undefined) join.presence = presence;
    return join;
  });
  return { joins, quiet, name };
}

/** Request duration by route, plus the X-Chat-Replica header that tells which replica answered. */
function httpMetrics(metrics: ChatMetrics, replicaId: string): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    c.header('X-Chat-Replica', replicaId);
    if (c.req.path === '/ws') return; // upgrades are counted as connections, not requests
    const status = c.res.status;
    const route = KNOWN_ROUTES.has(c.req.path) ? c.req.path : status === 404 ? 'not_found' : 'static';
    const method = KNOWN_METHODS.has(c.req.method) ? c.req.method : 'other';
    metrics.httpDuration.observe({ method, route, status: String(status) }, (performance.now() - started) / 1000);
  };
}
