/**
 * Graceful shutdown on SIGTERM/SIGINT: readiness off and new upgrades refused at once, existing
 * clients keep chatting through SHUTDOWN_DELAY_MS, then all get close 1001 and the process exits 0.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { TestClient, upgradeAnswer } from './support/client.ts';
import { startReplica, stopAllReplicas } from './support/replica.ts';
import { waitUntil } from './support/wait.ts';

afterAll(stopAllReplicas);

describe('graceful shutdown', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('on %s closes every client with 1001 and exits 0', async (signal) => {
    const server = await startReplica(`shutdown-${signal}`);
    const clients = await Promise.all(Array.from({ length: 5 }, () => TestClient.connect(server.wsUrl)));
    server.process.kill(signal);
    const exit = await server.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    for (const client of clients) expect((await client.waitForClose()).code).toBe(1001);
    expect(server.logs.map((line) => line.msg)).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
  });

  it('drains during SHUTDOWN_DELAY_MS: unready, no new upgrades, connected clients still chat', async () => {
    const server = await startReplica('draining', { SHUTDOWN_DELAY_MS: '1500' });
    const [alice, bob] = await Promise.all([TestClient.connect(server.wsUrl), TestClient.connect(server.wsUrl)]);
    if (alice === undefined || bob === undefined) throw new Error('clients did not connect');
    server.process.kill('SIGTERM');
    await waitUntil('readiness to turn off', 1_000, async () => (await server.fetch('/readyz')).status === 503);
    expect(await (await server.fetch('/readyz')).json()).toMatchObject({ reasons: ['shutting_down'] });

    const refused = await upgradeAnswer(server.wsUrl);
    expect([refused.status, refused.body]).toEqual([503, JSON.stringify({ error: 'shutting down' })]);

    alice.send({ from: 'alice', message: 'while draining' });
    await bob.waitFor((frame) => frame.message === 'while draining');
    expect(alice.isOpen).toBe(true);

    expect((await bob.waitForClose(5_000)).code).toBe(1001);
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });

  it('destroys sockets that do not finish closing by SHUTDOWN_TIMEOUT_MS and still exits', async () => {
    const server = await startReplica('stubborn', { SHUTDOWN_TIMEOUT_MS: '1500' });
    // A client that never answers the close frame: ws would wait 30 s for it.
    const stubborn = await TestClient.connect(server.wsUrl);
    stubborn.ws.pause();
    const started = Date.now();
    server.process.kill('SIGTERM');
    const exit = await server.exited;
    expect(exit.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
