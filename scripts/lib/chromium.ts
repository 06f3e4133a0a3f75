/**
 * Headless Chromium from the system (Debian's `chromium`), driven by playwright-core. Playwright's
 * own browser download is not used: it is not reachable here, and a system browser is what the
 * tests should prove the page against anyway. The dashboard renderer and the browser tests share it.
 *
 *   const browser = await launchBrowser();
 *   // ... browser.newPage()
 *   await browser.close();
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  // Playwright gives every launch a fresh, temporary profile. The flags keep Chromium off the
  // network it cannot reach here (updates, sync, QUIC probes) and working as root in CI.
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
