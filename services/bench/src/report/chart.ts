/**
 * The PNG chart: latency percentiles against delivered messages a second, one colour per system,
 * p99 solid and p50 dashed, points from the fan-out run and every step of the max ramp (a hollow
 * point is a step that did not hold). Drawn by Chart.js in headless Chromium (Debian's, driven
 * by playwright-core), the same browser the page tests use.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { SystemName } from '../systems/system.ts';
import { median } from './format.ts';
import type { BenchResults } from './results.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const COLOURS: Record<SystemName, string> = {
  chat: '#d62728',
  'article-node': '#1f77b4',
  socketio: '#2ca02c',
  'article-go': '#9467bd',
  floor: '#7f7f7f',
};

interface Point {
  x: number;
  y: number;
  ok: boolean;
}

/** Chart.js configuration for the results (exported for the test). */
export function chartConfig(results: BenchResults): object {
  const systems = [...new Set([...results.fanout, ...results.max].map((r) => r.system as SystemName))];
  const datasets: object[] = [];
  let maxX = 0;
  for (const system of systems) {
    const rounds = results.fanout.filter((r) => r.system === system);
    const points: { x: number; p50: number; p99: number; ok: boolean }[] = [];
    if (rounds.length > 0) {
      points.push({
        x: median(rounds.map((r) => r.deliveredPerSec)),
        p50: median(rounds.map((r) => r.latencyMs.p50)),
        p99: median(rounds.map((r) => r.latencyMs.p99)),
        ok: true,
      });
    }
    for (const step of results.max.find((m) => m.system === system)?.steps ?? []) {
      points.push({ x: step.deliveredPerSec, p50: step.latencyMs.p50, p99: step.latencyMs.p99, ok: step.ok });
    }
    points.sort((a, b) => a.x - b.x);
    maxX = Math.max(maxX, ...points.map((p) => p.x));
    for (const [percentile, dash] of [
      ['p99', []],
      ['p50', [6, 4]],
    ] as const) {
      const data: Point[] = points.map((p) => ({ x: p.x, y: p[percentile], ok: p.ok }));
      datasets.push({
        label: `${system} ${percentile}`,
        data,
        borderColor: COLOURS[system],
        backgroundColor: data.map((p) => (p.ok ? COLOURS[system] : '#ffffff')),
        pointBorderColor: COLOURS[system],
        pointRadius: 4,
        pointStyle: percentile === 'p99' ? 'circle' : 'triangle',
        borderDash: dash,
        borderWidth: 2,
        showLine: true,
      });
    }
  }
  datasets.push({
    label: `p99 bound ${results.options.maxP99Ms} ms`,
    data: [
      { x: 0, y: results.options.maxP99Ms },
      { x: maxX * 1.05, y: results.options.maxP99Ms },
    ],
    borderColor: '#999999',
    borderDash: [2, 3],
    borderWidth: 1,
    pointRadius: 0,
    showLine: true,
  });
  const m = results.machine;
  return {
    type: 'scatter',
    data: { datasets },
    options: {
      animation: false,
      responsive: false,
      plugins: {
        title: {
          display: true,
          text: [
            'Chat fan-out: latency vs delivered messages/s (p99 solid, p50 dashed; hollow: step did not hold)',
            `${results.options.replicas} replicas, ${results.options.clients} clients, ${results.options.senders} senders, one Redis; ` +
              `${m.nproc} cores (${m.cpuModel}), Node ${m.node}; ${results.startedAt}`,
          ],
          font: { size: 14 },
        },
        legend: { position: 'bottom' },
      },
      scales: {
        x: { type: 'linear', min: 0, title: { display: true, text: 'delivered messages/s, all receivers' } },
        y: { type: 'logarithmic', title: { display: true, text: 'end-to-end latency, ms (log)' } },
      },
    },
  };
}

/** Renders the chart to `path` (PNG). Throws when Chromium is missing. */
export async function renderChart(results: BenchResults, path: string): Promise<void> {
  const chartJs = join(dirname(fileURLToPath(import.meta.resolve('chart.js'))), 'chart.umd.min.js');
  const html = `<!doctype html><html><body style="margin:0;background:#fff">
<canvas id="c" width="1200" height="720"></canvas>
<script>${readFileSync(chartJs, 'utf8')}</script>
<script>
  Chart.defaults.font.family = 'DejaVu Sans, sans-serif';
  new Chart(document.getElementById('c'), ${JSON.stringify(chartConfig(results))});
  window.chartDone = true;
</script></body></html>`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 720 } });
    await page.setContent(html);
    await page.waitForFunction('window.chartDone === true', undefined, { timeout: 10_000 });
    await page.locator('#c').screenshot({ path });
  } finally {
    await browser.close();
  }
}
