/**
 * Test artifacts: screenshots go to test-results/e2e/ (git-ignored; CI can keep the folder). Two
 * pages are put side by side by the browser itself, so no image library is needed.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';

export const RESULTS_DIR = fileURLToPath(new URL('../../../../test-results/e2e/', import.meta.url));
/** Where the README's pictures live. */
const DOCS_DIR = fileURLToPath(new URL('../../../../docs/', import.meta.url));

export interface Shot {
  caption: string;
  png: Buffer;
}

/** Writes the shots side by side, each under its caption, into test-results/e2e/<name>; returns the path. */
export async function saveSideBySide(browser: Browser, shots: readonly Shot[], name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const figures = shots
    .map(
      ({ caption, png }) =>
        `<figure><figcaption>${escapeHtml(caption)}</figcaption><img src="data:image/png;base64,${png.toString('base64')}"></figure>`,
    )
    .join('');
  const page = await browser.newPage({ viewport: { width: 1200, height: 600 }, colorScheme: 'light' });
  try {
    await page.setContent(
      `<!doctype html><style>
        body { margin: 0; padding: 16px; display: inline-flex; gap: 16px; background: #e8eaed; font: 14px system-ui, sans-serif; }
        figure { margin: 0; }
        figcaption { padding: 0 0 6px 2px; color: #333; }
        img { display: block; border: 1px solid #9aa0a6; border-radius: 6px; box-shadow: 0 1px 4px #0003; }
      </style>${figures}`,
    );
    const path = join(RESULTS_DIR, name);
    writeFileSync(path, await page.locator('body').screenshot());
    return path;
  } finally {
    await page.close();
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

/**
 * With UPDATE_SCREENSHOT=1 only, copies a picture the run made over the README's docs/<name>: the
 * README's pictures change on purpose, never as a side effect of a test run.
 */
export function updateReadmePicture(path: string, name: string, label: string): void {
  if (process.env.UPDATE_SCREENSHOT !== '1') return;
  const target = join(DOCS_DIR, name);
  mkdirSync(DOCS_DIR, { recursive: true });
  copyFileSync(path, target);
  console.log(`[${label}] and copied to ${target}`);
}
