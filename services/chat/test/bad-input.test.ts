/**
 * Every kind of bad input gets exactly its documented answer, and a well-behaved pair of clients
 * on the same server keeps chatting through all of it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from './support/client.ts';
import { rawUpgrade } from './support/raw-socket.ts';
import { type Replica, startReplica, stopAllReplicas } from './support/replica.ts';
import { sleep, waitUntil } from './support/wait.ts';

const MAX_MESSAGE_BYTES = 4096;
const RATE_LIMIT = 5;

let server: Replica;
let alice: TestClient;
let bob: TestClient;
const extra: TestClient[] = [];

beforeAll(async () => {
  server = await startReplica('bad-input', {
    MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES),
    RATE_LIMIT: String(RATE_LIMIT),
    MAX_BUFFERED_BYTES: String(64 * 1024),
  });
  alice = await TestClient.connect(server.wsUrl);
  bob = await TestClient.connect(server.wsUrl);
});

afterAll(async () => {
  await Promise.all([alice, bob, ...extra].map((client) => client?.end()));
  await stopAllReplicas();
});

let round = 0;
let aliceLastSent = 0;
/** The well-behaved pair still chats: a message from alice reaches bob (and `alsoTo`). */
async function expectStillChatting(...alsoTo: TestClient[]): Promise<void> {
  const text = `still here ${++round}`;
  // Alice is well-behaved: she stays under the rate limit.
  await sleep(Math.max(0, aliceLastSent + 1000 / RATE_LIMIT - Date.now()));
  aliceLastSent = Date.now();
  alice.send({ from: 'alice', message: text });
  for (const client of [alice, bob, ...alsoTo]) {
    await client.waitFor((frame) => frame.type === 'message' && frame.message === text);
  }
}

async function connectExtra(): Promise<TestClient> {
  const client = await TestClient.connect(server.wsUrl);
  extra.push(client);
  return client;
}

const rejected = (reason: string) => server.metric(`chat_messages_rejected_total{reason="${reason}"}`);

afterEach(async () => {
  expect(alice.isOpen && bob.isOpen).toBe(true);
  await expectStillChatting();
});

describe('frames that are not valid messages get an error frame and the sender stays connected', () => {
  it.each([
    ['non-JSON text', 'hello there', 'invalid_json'],
    ['a JSON array', '["alice","hi"]', 'invalid_frame'],
    ['a JSON string', '"hi"', 'invalid_frame'],
    ['an object without from', '{"message":"hi"}', 'invalid_frame'],
    ['a numeric from', '{"from":42,"message":"hi"}', 'invalid_frame'],
    ['an empty message', '{"from":"mallory","message":""}', 'empty_message'],
    ['a blank message', '{"from":"mallory","message":"   "}', 'empty_message'],
    ['a from over 64 characters', JSON.stringify({ from: 'm'.repeat(65), message: 'hi' }), 'from_too_long'],
    ['an unknown frame type', '{"type":"shout","from":"m","message":"hi"}', 'unknown_type'],
  ])('%s', async (_name, text, code) => {
    const mallory = await connectExtra();
    const before = await rejected(code);
    mallory.send(text);
    const error = await mallory.waitFor((frame) => frame.type === 'error');
    expect(error).toMatchObject({ type: 'error', code, message: expect.any(String) });
    expect(error.ref).toBeUndefined();
    expect(mallory.isOpen).toBe(true);
    await expectStillChatting(mallory);
    expect(mallory.messages().some((frame) => frame.from === 'mallory')).toBe(false);
    expect(bob.messages().some((frame) => frame.from === 'mallory')).toBe(false);
    expect(await rejected(code)).toBe(before + 1);
  });

  it('an error names the ref of the frame it answers', async () => {
    const mallory = await connectExtra();
    mallory.send({ from: 'mallory', message: '', ref: 'm-1' });
    expect(await mallory.waitFor((frame) => frame.type === 'error')).toMatchObject({
      code: 'empty_message',
      ref: 'm-1',
    });
  });
});

describe('frames that break the protocol close the connection with the matching code', () => {
  it(`a frame over MAX_MESSAGE_BYTES closes with 1009`, async () => {
    const mallory = await connectExtra();
    mallory.send({ from: 'mallory', message: 'x'.repeat(MAX_MESSAGE_BYTES) });
    expect((await mallory.waitForClose()).code).toBe(1009);
    expect(await rejected('too_large')).toBe(1);
    await expectStillChatting();
  });

  it('a frame just under MAX_MESSAGE_BYTES is delivered', async () => {
    const sender = await connectExtra();
    const text = 'y'.repeat(MAX_MESSAGE_BYTES - 40);
    sender.send({ from: 'big', message: text });
    expect((await bob.waitFor((frame) => frame.from === 'big')).message).toBe(text);
  });

  it('a binary frame closes with 1003', async () => {
    const mallory = await connectExtra();
    mallory.ws.send(Buffer.from('{"from":"m","message":"binary"}'), { binary: true });
    expect((await mallory.waitForClose()).code).toBe(1003);
    expect(await rejected('binary')).toBe(1);
  });

  it('a text frame with invalid UTF-8 closes with 1007', async () => {
    const mallory = await connectExtra();
    mallory.ws.send(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), { binary: false });
    expect((await mallory.waitForClose()).code).toBe(1007);
    expect(await rejected('invalid_utf8')).toBe(1);
  });
});

describe('floods', () => {
  it(`more than RATE_LIMIT messages a second get rate_limited errors, then close 1008`, async () => {
    const flooder = await connectExtra();
    for (let i = 0; i < RATE_LIMIT + 1; i++) flooder.send({ from: 'flooder', message: `burst ${i}` });
    const error = await flooder.waitFor((frame) => frame.type === 'error');
    expect(error).toMatchObject({ code: 'rate_limited' });
    await bob.waitFor((frame) => frame.from === 'flooder' && frame.message === `burst ${RATE_LIMIT - 1}`);
    expect(flooder.isOpen).toBe(true);

    for (let i = 0; i < 2 * RATE_LIMIT; i++) flooder.send({ from: 'flooder', message: `more ${i}` });
    expect((await flooder.waitForClose()).code).toBe(1008);
    // Only the burst the limit allows went out; nothing sent over the limit reached anyone.
    expect(bob.messages().filter((frame) => frame.from === 'flooder')).toHaveLength(RATE_LIMIT);
  });

  it('a client that stops reading is disconnected once its send buffer passes the bound', async () => {
    // A server of its own without a rate limit, so one sender can fill the buffers quickly.
    const flooded = await startReplica('slow-consumer', { RATE_LIMIT: '0', MAX_BUFFERED_BYTES: String(64 * 1024) });
    const stalled = await rawUpgrade(flooded.port, { read: false });
    const sender = await TestClient.connect(flooded.wsUrl);
    extra.push(sender);
    const text = 'z'.repeat(15_000);
    const drops = () => flooded.metric('chat_slow_consumer_disconnects_total');
    let sent = 0;
    // The kernel buffers of the stalled socket take a few MB; 60 MB is the most this sends.
    while ((await drops()) === 0 && sent < 4_000) {
      for (let i = 0; i < 100; i++) sender.send({ from: 'filler', message: text });
      sent += 100;
      await sender.waitForMessages(sent, 20_000);
    }
    expect(await drops()).toBe(1);
    // A paused socket does not notice the server closing it; reading again shows it was.
    stalled.socket.resume();
    await waitUntil('the stalled socket to see the close', 10_000, () => stalled.socket.closed);
    // The reading client on the same server got every message, before and after the drop.
    sender.send({ from: 'filler', message: 'after the drop' });
    await sender.waitForMessages(sent + 1);
    expect(sender.messages()).toHaveLength(sent + 1);
  });
});
