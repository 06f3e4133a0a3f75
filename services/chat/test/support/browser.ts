/** Headless system Chromium for the page tests: the same launcher the scripts use (scripts/lib/chromium.ts). */
export { launchBrowser } from '../../../../scripts/lib/chromium.ts';
