/**
 * The HTTP side of a replica: the page, health and readiness, the upgrade rules (origin check,
 * plain GET on /ws), and the header that names the replica.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endAllClients, TestClient, upgradeAnswer, upgradeStatus } from './support/client.ts';
import { type Replica, startReplica, stopAllReplicas } from './support/replica.ts';

let server: Replica;
let open: Replica;

beforeAll(async () => {
  [server, open] = await Promise.all([
    startReplica('http-1', { ALLOWED_ORIGINS: 'https://app.example.org' }),
    startReplica('http-open', { ALLOWED_ORIGINS: '*' }),
  ]);
});

afterAll(async () => {
  await endAllClients();
  await stopAllReplicas();
});

const refusal = (replica: Replica, headers: Record<string, string>) => upgradeStatus(replica.wsUrl, { headers });

describe('pages and probes', () => {
  it('serves the chat page with its script and a strict content security policy', async () => {
    const page = await server.fetch('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(page.headers.get('x-chat-replica')).toBe('http-1');
    const html = await page.text();
    for (const field of ['id="name"', 'id="message"', 'id="messages"', 'id="status"', 'src="app.js"']) {
      expect(html).toContain(field);
    }
    const script = await server.fetch('/app.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    const code = await script.text();
    expect(code).toContain('/ws');
    expect(code).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });

  it('answers /healthz and /readyz with JSON', async () => {
    const health = await server.fetch('/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await server.fetch('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', broker: 'memory', replica: 'http-1' });
  });

  it('answers 404 for unknown paths and 426 for a plain GET on /ws', async () => {
    expect((await server.fetch('/nope')).status).toBe(404);
    const plain = await server.fetch('/ws');
    expect(plain.status).toBe(426);
  });
});

describe('origin check on upgrades', () => {
  it('accepts clients without an Origin header (not browsers)', async () => {
    expect(await refusal(server, {})).toBe(101);
  });

  it("accepts the page's own origin and origins in ALLOWED_ORIGINS", async () => {
    expect(await refusal(server, { Origin: `http://127.0.0.1:${server.port}` })).toBe(101);
    expect(await refusal(server, { Origin: 'https://app.example.org' })).toBe(101);
  });

  it('refuses any other origin with 403 and counts it', async () => {
    expect(await refusal(server, { Origin: 'https://evil.example.net' })).toBe(403);
    expect(await refusal(server, { Origin: `http://127.0.0.1:${server.port + 1}` })).toBe(403);
    expect(await refusal(server, { Origin: 'null' })).toBe(403);
    expect(await server.metric('chat_upgrades_rejected_total{reason="origin"}')).toBe(3);
  });

  it('says why an upgrade is refused, in a JSON body as a plain GET would get it', async () => {
    const origin = await upgradeAnswer(server.wsUrl, { headers: { Origin: 'https://evil.example.net' } });
    expect([origin.status, origin.body]).toEqual([
      403,
      JSON.stringify({ error: 'origin https://evil.example.net is not allowed' }),
    ]);
    const badRequest = await upgradeAnswer(`${server.wsUrl}?presence=no`);
    const plainGet = await server.fetch('/ws?presence=no');
    expect([badRequest.status, badRequest.body]).toEqual([400, await plainGet.text()]);
    expect(badRequest.body).toMatch(/"presence\\" must be one of/);
    const elsewhere = await upgradeAnswer(server.wsUrl.replace(/\/ws$/, '/not-here'));
    expect([elsewhere.status, elsewhere.body]).toEqual([404, '404 Not Found']);
  });

  it('accepts every origin when ALLOWED_ORIGINS is *', async () => {
    expect(await refusal(open, { Origin: 'https://evil.example.net' })).toBe(101);
  });

  it('keeps chatting for connected clients while upgrades are refused', async () => {
    const [alice, bob] = [await TestClient.connect(server.wsUrl), await TestClient.connect(server.wsUrl)];
    expect(await refusal(server, { Origin: 'https://evil.example.net' })).toBe(403);
    alice.send({ from: 'alice', message: 'still fine' });
    await bob.waitFor((frame) => frame.message === 'still fine');
  });
});
