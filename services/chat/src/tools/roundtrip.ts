/**
 * End-to-end check of a running chat: connects to the WebSocket endpoint, sends one message and
 * exits 0 once the server acknowledged it and delivered it back, 1 otherwise (within 10 s).
 * Used by `helm test` and the container tests; handy against any deployment.
 *
 *   node dist/tools/roundtrip.js ws://chat.example.com/ws
 */
import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';

const url = process.argv[2] ?? `ws://127.0.0.1:${process.env.PORT ?? '8080'}/ws`;
const ref = `roundtrip-${randomUUID()}`;
const text = `round trip ${ref}`;

const fail = (reason: string): never => {
  process.stderr.write(`roundtrip: ${url}: ${reason}\n`);
  process.exit(1);
};
setTimeout(() => fail('no answer within 10 s'), 10_000).unref();

const ws = new WebSocket(url);
let acked = false;
let delivered = false;
ws.on('error', (error) => fail(error.message));
ws.on('unexpected-response', (_request, response) => fail(`upgrade refused with HTTP ${response.statusCode}`));
// A plain connection is in the default room; the typed frame names it to get an ack.
ws.on('open', () =>
  ws.send(JSON.stringify({ type: 'message', room: 'general', from: 'roundtrip', message: text, ref })),
);
ws.on('message', (data) => {
  const frame = JSON.parse(data.toString()) as { type?: string; ref?: string; message?: string; code?: string };
  if (frame.type === 'error' && frame.ref === ref) fail(`server refused the message: ${frame.code}`);
  if (frame.type === 'ack' && frame.ref === ref) acked = true;
  if (frame.type === 'message' && frame.message === text) delivered = true;
  if (acked && delivered) {
    process.stdout.write(`roundtrip: ${url}: ok\n`);
    ws.close();
    process.exit(0);
  }
});
