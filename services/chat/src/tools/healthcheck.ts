/**
 * Probe for images without curl: exits 0 when the URL answers 2xx within 3 s, else 1.
 *
 *   node dist/tools/healthcheck.js [url]     default http://127.0.0.1:$PORT/healthz
 */
const url = process.argv[2] ?? `http://127.0.0.1:${process.env.PORT ?? '8080'}/healthz`;

try {
  const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  process.stderr.write(`healthcheck: ${url}: ${(error as Error).message}\n`);
  process.exit(1);
}
