/**
 * Refused WebSocket upgrades answered in full, reason included.
 *
 * @hono/node-server answers an upgrade the app refuses (our 400, 403 and 503) with the response's
 * status and headers but `Content-Length: 0` (its `rejectUpgradeRequest`), so a client would get
 * "400" and not which parameter was wrong. The wrapper below writes the app's whole response to
 * the socket itself and then destroys it, the way ws's own `abortHandshake` does; the adaptor
 * finds the socket destroyed when the app's answer reaches it, and writes nothing more.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

/** What the adaptor hands the app: the Node request it came from, among other things. */
interface NodeEnv {
  incoming?: { headers: Record<string, string | string[] | undefined>; socket: Socket };
}

type Fetch<Env> = (request: Request, env: Env) => Response | Promise<Response>;

/** Headers of the app's response that this answer sets itself, or that would end it early. */
const SET_HERE = new Set(['connection', 'content-length', 'keep-alive', 'transfer-encoding', 'upgrade']);

/**
 * The app's fetch, with refused upgrades answered here. An upgrade the app takes comes back as
 * the adaptor's helper answers it (200, no body, the socket is the adaptor's to hand to ws).
 */
export function answerRefusedUpgrades<Env extends NodeEnv>(fetch: Fetch<Env>): Fetch<Env> {
  return async (request, env) => {
    const response = await fetch(request, env);
    const incoming = env.incoming;
    if (incoming !== undefined && isWebSocketUpgrade(incoming.headers.upgrade) && response.status !== 200) {
      await refuse(incoming.socket, response);
    }
    return response;
  };
}

/** Whether a request's Upgrade header asks for a WebSocket (the token is case-insensitive). */
export function isWebSocketUpgrade(upgrade: string | string[] | undefined): boolean {
  return typeof upgrade === 'string' && upgrade.toLowerCase() === 'websocket';
}

async function refuse(socket: Socket, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  if (socket.destroyed) return; // the client left while the body was read
  const head = [
    `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}`,
    'Connection: close',
    `Content-Length: ${body.length}`,
  ];
  response.headers.forEach((value, name) => {
    if (!SET_HERE.has(name)) head.push(`${name}: ${value}`);
  });
  // Once the whole answer is with the kernel and the FIN after it, the socket is destroyed (as ws's
  // abortHandshake does); the adaptor, which waits for this, then finds it destroyed and writes
  // nothing of its own. A few hundred bytes to an idle socket leave at once.
  await new Promise<void>((resolve) => {
    socket.end(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), body]), () => resolve());
  });
  socket.destroy();
}
