/**
 * Redis goes away mid-chat and comes back: readiness and metrics say so, messages sent meanwhile
 * are refused out loud, connections stay open, and chat resumes without restarting anything.
 */
import { beforeAll, expect, it } from 'vitest';
import { TestClient, upgradeAnswer } from './support/client.ts';
import { useTestRedis } from './support/lifecycle.ts';
import { type Replica, startReplica } from './support/replica.ts';
import { waitUntil } from './support/wait.ts';

const redis = useTestRedis();
let replicas: Replica[];

beforeAll(async () => {
  replicas = await Promise.all(['outage-1', 'outage-2'].map((name) => startReplica(name, { REDIS_URL: redis().url })));
});

const readyStatus = async (replica: Replica) => (await replica.fetch('/readyz')).status;

it('refuses messages while Redis is down and resumes when it is back', async () => {
  for (const replica of replicas)
    await waitUntil(`${replica.name} ready`, 10_000, async () => (await readyStatus(replica)) === 200);
  const [alice, bob] = await Promise.all(replicas.map((replica) => TestClient.connect(replica.wsUrl)));
  if (alice === undefined || bob === undefined) throw new Error('clients did not connect');
  alice.send({ from: 'alice', message: 'before' });
  await bob.waitFor((frame) => frame.message === 'before');

  await redis().stop();
  for (const replica of replicas) {
    await waitUntil(`${replica.name} to turn unready`, 10_000, async () => (await readyStatus(replica)) === 503);
    const body = await (await replica.fetch('/readyz')).json();
    expect(body).toMatchObject({ status: 'not_ready', reasons: ['broker_down'] });
    expect(await replica.metric('chat_broker_up')).toBe(0);
    expect(await replica.metric('chat_ready')).toBe(0);
    expect((await replica.fetch('/healthz')).status).toBe(200); // alive, just not ready
  }

  const errorsBefore = alice.frames.length;
  alice.send({ from: 'alice', message: 'during', ref: 'out-1' });
  alice.send({ from: 'alice', message: 'during, article style' });
  const withRef = await alice.waitFor((frame) => frame.type === 'error' && frame.ref === 'out-1', 5_000, errorsBefore);
  expect(withRef).toMatchObject({ code: 'broker_unavailable' });
  await alice.waitFor((frame) => frame.type === 'error' && frame.ref === undefined, 5_000, errorsBefore);
  expect(await replicas[0]?.metric('chat_broker_publish_errors_total')).toBe(2);
  expect(alice.isOpen && bob.isOpen).toBe(true);

  await redis().start();
  for (const replica of replicas) {
    await waitUntil(`${replica.name} ready again`, 15_000, async () => (await readyStatus(replica)) === 200);
    expect(await replica.metric('chat_broker_up')).toBe(1);
  }
  alice.send({ from: 'alice', message: 'after', ref: 'out-2' });
  expect(await alice.waitFor((frame) => frame.ref === 'out-2')).toMatchObject({ type: 'ack' });
  await bob.waitFor((frame) => frame.message === 'after');
  bob.send({ from: 'bob', message: 'back across replicas' });
  await alice.waitFor((frame) => frame.message === 'back across replicas');
  // Nothing sent during the outage turned up later.
  expect([...alice.messages(), ...bob.messages()].some((frame) => frame.message?.startsWith('during'))).toBe(false);
  expect(replicas.every((replica) => replica.running)).toBe(true);
});

it('refuses upgrades (503) until its broker has connected once, then takes clients', async () => {
  await redis().stop();
  const late = await startReplica('outage-late', { REDIS_URL: redis().url }, { waitForReady: false });
  const refused = await upgradeAnswer(late.wsUrl);
  expect([refused.status, refused.body]).toEqual([
    503,
    JSON.stringify({ error: 'starting: the broker is not connected yet' }),
  ]);
  expect(await late.metric('chat_upgrades_rejected_total{reason="starting"}')).toBe(1);

  await redis().start();
  await waitUntil('the late replica to be ready', 15_000, async () => (await readyStatus(late)) === 200);
  const client = await TestClient.connect(late.wsUrl);
  client.send({ from: 'late', message: 'ready now', ref: 'late-1' });
  expect(await client.waitFor((frame) => frame.ref === 'late-1')).toMatchObject({ type: 'ack' });
});
