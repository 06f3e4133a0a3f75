/**
 * Rooms on the chat page, in a real headless Chromium: who is online, the room's recent messages
 * after a reload, and switching rooms.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser } from './support/browser.ts';
import { say, texts } from './support/page.ts';
import { type Replica, startReplica, stopAllReplicas } from './support/replica.ts';

let browser: Browser;
let server: Replica;
let alice: Page;
let bob: Page;

/** A page for one person; the name is already saved, as it is on a second visit. */
async function openAs(name: string, hash = ''): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.addInitScript((saved) => localStorage.setItem('chat.name', saved), name);
  await page.goto(`${server.url}/${hash}`);
  await page.waitForSelector('#status[data-state="connected"]');
  return page;
}

beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startReplica('page-rooms')]);
  alice = await openAs('alice');
  bob = await openAs('bob');
});

afterAll(async () => {
  await browser?.close();
  await stopAllReplicas();
});

async function waitForTexts(page: Page, selector: string, check: (texts: string[]) => boolean): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (check(await texts(page, selector))) return;
    await page.waitForTimeout(100);
  }
  throw new Error(`${selector} never matched: ${JSON.stringify(await texts(page, selector))}`);
}

it('shows who is online in the room, and keeps it current', async () => {
  for (const page of [alice, bob]) {
    await waitForTexts(page, '#members li', (names) => names.join() === 'alice,bob');
    expect(await page.textContent('#member-count')).toBe('(2)');
  }
  const carol = await openAs('carol');
  await waitForTexts(alice, '#members li', (names) => names.join() === 'alice,bob,carol');
  await carol.close();
  await waitForTexts(alice, '#members li', (names) => names.join() === 'alice,bob');
});

it("shows the room's recent messages after a reload, in order", async () => {
  for (let i = 1; i <= 3; i++) await say(alice, `before the reload ${i}`);
  await waitForTexts(bob, '#messages li', (lines) => lines.some((line) => line.endsWith('before the reload 3')));
  await bob.reload();
  await bob.waitForSelector('#status[data-state="connected"]');
  await waitForTexts(
    bob,
    '#messages li',
    (lines) => lines.filter((line) => line.includes('before the reload')).length === 3,
  );
  const lines = (await texts(bob, '#messages li')).filter((line) => line.includes('before the reload'));
  expect(lines.map((line) => line.slice(line.indexOf('alice')))).toEqual([
    'alicebefore the reload 1',
    'alicebefore the reload 2',
    'alicebefore the reload 3',
  ]);
  await waitForTexts(bob, '#members li', (names) => names.join() === 'alice,bob');
});

it('switches rooms: their own messages and members, nothing from the room left', async () => {
  await alice.fill('#room', 'lobby');
  await alice.press('#room', 'Enter');
  await waitForTexts(alice, '#members li', (names) => names.join() === 'alice');
  expect(await alice.textContent('#room-title')).toBe('#lobby');
  expect(new URL(alice.url()).hash).toBe('#lobby');
  await say(alice, 'only in the lobby');
  await waitForTexts(alice, '#messages li', (lines) => lines.some((line) => line.endsWith('only in the lobby')));
  await waitForTexts(bob, '#members li', (names) => names.join() === 'bob');
  await say(bob, 'only in general');
  await bob.waitForTimeout(300);
  expect((await texts(bob, '#messages li')).some((line) => line.includes('only in the lobby'))).toBe(false);
  expect((await texts(alice, '#messages li')).some((line) => line.includes('only in general'))).toBe(false);

  // A link to a room opens it, with its recent messages.
  const dave = await openAs('dave', '#lobby');
  await waitForTexts(dave, '#messages li', (lines) => lines.some((line) => line.endsWith('only in the lobby')));
  await waitForTexts(dave, '#members li', (names) => names.join() === 'alice,dave');
});
