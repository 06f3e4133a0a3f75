/**
 * The chat page in a real headless Chromium: two people chat, hostile text stays text, errors are
 * shown next to the message they concern, and the page notices a lost server and reconnects by
 * itself.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser } from './support/browser.ts';
import { say, texts } from './support/page.ts';
import { type Replica, startReplica, stopAllReplicas } from './support/replica.ts';
import { freePort } from './support/wait.ts';

let browser: Browser;
let server: Replica;
let port: number;
let alice: Page;
let bob: Page;
let dialogs = 0;

const env = () => ({ PORT: String(port), RATE_LIMIT: '20' });

beforeAll(async () => {
  port = await freePort();
  [browser, server] = await Promise.all([launchBrowser(), startReplica('page', env())]);
  // Separate contexts: two people, not two tabs of one.
  alice = await (await browser.newContext()).newPage();
  bob = await (await browser.newContext()).newPage();
  for (const page of [alice, bob]) {
    page.on('dialog', (dialog) => {
      dialogs++;
      void dialog.dismiss();
    });
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForSelector('#status[data-state="connected"]');
  }
  await alice.fill('#name', 'alice');
  await bob.fill('#name', 'bob');
});

afterAll(async () => {
  await browser?.close();
  await stopAllReplicas();
});

async function waitForShown(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    (wanted) => [...document.querySelectorAll('#messages li')].some((item) => item.textContent?.includes(wanted)),
    text,
    { timeout: 10_000 },
  );
}

it('two people see each other, names and messages in order', async () => {
  await say(alice, 'hi bob');
  await waitForShown(bob, 'hi bob');
  await say(bob, 'hi alice');
  for (const page of [alice, bob]) {
    await waitForShown(page, 'hi alice');
    const lines = await texts(page, '#messages li');
    expect(lines.findIndex((line) => line.includes('alicehi bob'))).toBeLessThan(
      lines.findIndex((line) => line.includes('bobhi alice')),
    );
  }
});

it('shows HTML in a message as text and runs none of it', async () => {
  const hostile = '<img src=x onerror=alert(1)><script>alert(2)</script>';
  await say(alice, hostile);
  await waitForShown(bob, hostile);
  expect(await bob.$$eval('#messages img, #messages script', (found) => found.length)).toBe(0);
  expect(dialogs).toBe(0);
});

it('shows an error for a message the server refused, naming it', async () => {
  // The name field stops at 64 characters; a page script could still send more.
  await alice.$eval('#name', (input) => {
    (input as HTMLInputElement).value = 'a'.repeat(65);
  });
  await say(alice, 'from a long name');
  await waitForShown(alice, 'Not sent: “from a long name”');
  await alice.fill('#name', 'alice');
});

it('shows when the server is gone and reconnects by itself when it is back', async () => {
  await server.stop('SIGTERM');
  for (const page of [alice, bob]) {
    await page.waitForSelector('#status[data-state="disconnected"]', { timeout: 5_000 });
    expect(await page.textContent('#status')).toMatch(/Disconnected.*reconnecting/);
    expect(await page.isDisabled('#send')).toBe(true);
  }
  server = await startReplica('page-again', env());
  for (const page of [alice, bob]) await page.waitForSelector('#status[data-state="connected"]', { timeout: 20_000 });
  await say(bob, 'we are back');
  await waitForShown(alice, 'we are back');
});
