/**
 * The article's test, for real: two browser windows side by side, chatting through nginx while
 * each is served by a different replica. Then the faults: hostile text, a replica killed under a
 * page, Redis stopped and started, all without reloading either page.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser } from '../test/support/browser.ts';
import { ChatPage } from './support/chat-page.ts';
import { startTestCluster, type TestCluster, waitForReadiness } from './support/cluster.ts';
import { saveSideBySide, updateReadmePicture } from './support/screenshot.ts';

let cluster: TestCluster;
let browser: Browser;
let alice: ChatPage;
let bob: ChatPage;

beforeAll(async () => {
  [cluster, browser] = await Promise.all([startTestCluster(), launchBrowser()]);
  alice = await ChatPage.open(browser, 'alice', `${cluster.url}/`);
  bob = await ChatPage.open(browser, 'bob', `${cluster.url}/`);
  // nginx takes turns across replicas per request; reload bob until his socket lands elsewhere.
  for (let i = 0; i < 12 && bob.replica === alice.replica; i++) await bob.load(`${cluster.url}/`);
  await Promise.all([alice.watch(), bob.watch()]);
});

afterAll(async () => {
  await browser?.close();
  await cluster?.stop();
});

it('two pages on different replicas see both messages, in order, with the sender names', async () => {
  expect(alice.replica).toMatch(/^replica-\d$/);
  expect(bob.replica).toMatch(/^replica-\d$/);
  expect(bob.replica).not.toBe(alice.replica);
  // The replicas' own logs agree with the header: each logged its page's connection.
  for (const page of [alice, bob]) {
    const opened = cluster.logs(page.replica ?? '').filter((line) => line.msg === 'connection opened');
    expect(opened.some((line) => String(line.ua).endsWith(`chat-e2e/${page.who}`))).toBe(true);
  }

  await alice.say(`hi bob, ${alice.replica} here`);
  await bob.waitForMessage(`hi bob, ${alice.replica} here`);
  await bob.say(`hi alice, ${bob.replica} here; Redis relayed it`);
  const expected = [
    { from: 'alice', text: `hi bob, ${alice.replica} here` },
    { from: 'bob', text: `hi alice, ${bob.replica} here; Redis relayed it` },
  ];
  for (const page of [alice, bob]) {
    await page.waitForMessage(expected[1]?.text ?? '');
    expect(await page.messages()).toEqual(expected);
  }

  const path = await saveSideBySide(
    browser,
    [
      { caption: `alice — through nginx, served by ${alice.replica}`, png: await alice.screenshot() },
      { caption: `bob — through nginx, served by ${bob.replica}`, png: await bob.screenshot() },
    ],
    'two-browsers.png',
  );
  console.log(`[browsers] screenshot of the conversation: ${path}`);
  updateReadmePicture(path, 'screenshot.png', 'browsers');
});

it('shows a message containing HTML as literal text on the other page, and runs none of it', async () => {
  const hostile = '<img src=x onerror=alert(1)>';
  await alice.say(hostile);
  await bob.waitForMessage(hostile);
  expect((await bob.messages()).at(-1)).toEqual({ from: 'alice', text: hostile });
  expect(await bob.page.$$eval('#messages img, #messages script', (found) => found.length)).toBe(0);
  for (const page of [alice, bob]) {
    expect(page.dialogs).toBe(0);
    expect(page.pageErrors).toEqual([]);
  }
});

it('a page whose replica is killed shows it, reconnects through nginx to another by itself, and chats on', async () => {
  const killed = alice.replica ?? '';
  const exit = await cluster.replica(killed).stop('SIGKILL');
  expect(exit.signal).toBe('SIGKILL');

  await alice.page.waitForFunction(
    () => (window as unknown as { statusChanges: { state: string }[] }).statusChanges.at(-1)?.state === 'connected',
    undefined,
    { timeout: 20_000 },
  );
  const states = await alice.statusChanges();
  const lost = states.findIndex((change) => change.state === 'disconnected');
  expect(lost, `alice's status went ${JSON.stringify(states)}`).toBeGreaterThanOrEqual(0);
  expect(states[lost]?.text).toMatch(/^Disconnected \(code 1006\) — reconnecting in \d+\.\d s$/);
  expect(states.slice(lost).map((change) => change.state)).toContain('connected');
  expect(alice.replica).not.toBe(killed);
  expect(alice.replica).toMatch(/^replica-\d$/);
  // Bob's replica stayed up: his page never noticed.
  expect(await bob.statusChanges()).toEqual([]);

  await alice.say('still here after my replica died');
  await bob.waitForMessage('still here after my replica died');
  await bob.say('got it, no reload needed');
  await alice.waitForMessage('got it, no reload needed');
  console.log(`[browsers] killed ${killed}; alice reconnected to ${alice.replica}, bob stayed on ${bob.replica}`);
});

it('while Redis is down a message is refused with an error on the page; chat resumes when Redis is back', async () => {
  const during = 'sent while Redis is down';
  await cluster.redis.stop();
  await waitForReadiness(cluster, 503, 10_000);
  for (const page of [alice, bob]) expect(await page.page.getAttribute('#status', 'data-state')).toBe('connected');

  await alice.say(during);
  const notice = await alice.waitForNotice(`Not sent: “${during}”`);
  expect(notice).toContain('the message broker is unavailable');

  await cluster.redis.start();
  await waitForReadiness(cluster, 200, 10_000);
  await bob.say('Redis is back');
  await alice.waitForMessage('Redis is back');
  await alice.say('and so is the chat');
  await bob.waitForMessage('and so is the chat');

  // The refused message never turned up later, on either page, and neither page reloaded.
  for (const page of [alice, bob]) {
    expect((await page.messages()).some((shown) => shown.text === during)).toBe(false);
    await page.statusChanges();
  }
  expect(await bob.notices()).toEqual([]);
});
