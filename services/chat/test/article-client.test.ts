/**
 * A client written the way the article's page talks: it sends {"from","message"} and reads
 * `from` and `message` back, knowing nothing of types, ids, refs or acks.
 */

import { beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { useTestRedis } from './support/lifecycle.ts';
import { type Replica, startReplica } from './support/replica.ts';
import { waitUntil } from './support/wait.ts';

const redis = useTestRedis();
let replicas: Replica[];
beforeAll(async () => {
  replicas = await Promise.all(
    ['article-1', 'article-2'].map((name) => startReplica(name, { REDIS_URL: redis().url })),
  );
});
/** The article's page, reduced to its socket code. */
function articleClient(url: string) {
  const ws = new WebSocket(url);
  const shown: string[] = [];
  ws.onmessage = (event) => {
    const msg = JSON.parse(String(event.data));
    shown.push(`${msg.from}: ${msg.message}`);
  };
  const opened = new Promise((resolve) => {
    ws.onopen = resolve;
  });
  return { ws, shown, opened };
}

it('works against this server unchanged, across two replicas', async () => {
  const alice = articleClient(replicas[0]?.wsUrl ?? '');
  const bob = articleClient(replicas[1]?.wsUrl ?? '');
  await Promise.all([alice.opened, bob.opened]);
  alice.ws.send(JSON.stringify({ from: 'alice', message: 'hi bob' }));
  bob.ws.send(JSON.stringify({ from: 'bob', message: 'hi alice' }));
  await waitUntil('both messages on both pages', 5_000, () => alice.shown.length === 2 && bob.shown.length === 2);
  for (const page of [alice, bob]) {
    expect(page.shown.sort()).toEqual(['alice: hi bob', 'bob: hi alice']);
  }
  alice.ws.close();
  bob.ws.close();
});
