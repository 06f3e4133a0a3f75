/**
 * The PNG chart: latency percentiles against delivered messages a second, one colour per system:
 * the max ramp as lines through its steps (p99 solid, p50 dashed, a hollow point is a step that
 * did not hold) and the fixed-rate fan-out as diamonds. Drawn by Chart.js in headless Chromium (Debian's, driven
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
  'chat-alt': '#ff7f0e',
  'article-node': '#1f77b4',
  socketio: '#2ca02c',
  'article-go': '#9467bd',
  floor: '#7f7f7f',
  'floor-ws': '#bcbd22',
};

interface Point {
  x: number;
  y: number;
  ok: boolean;
}

/** Chart.js configuration for the results. */
function chartConfig(results: BenchResults): object {
  const systems = [...new Set([...results.fanout, ...results.max].map((r) => r.system as SystemName))];
  const datasets: object[] = [];
  let maxX = 0;
  for (const system of systems) {
    const colour = COLOURS[system];
    // The max ramp: one line per percentile through its steps.
    const steps = [...(results.max.find((m) => m.system === system)?.steps ?? [])].sort(
      (a, b) => a.deliveredPerSec - b.deliveredPerSec,
    );
    for (const [percentile, dash] of [
      ['p99', []],
      ['p50', [6, 4]],
    ] as const) {
      const data: Point[] = steps.map((s) => ({ x: s.deliveredPerSec, y: s.latencyMs[percentile], ok: s.ok }));
      maxX = Math.max(maxX, ...data.map((p) => p.x));
      datasets.push({
        label: percentile === 'p99' ? system : `${system} p50`,
        data,
        borderColor: colour,
        backgroundColor: colour,
        pointBackgroundColor: data.map((p) => (p.ok ? colour : '#ffffff')),
        pointBorderColor: colour,
        pointRadius: 4,
        pointStyle: percentile === 'p99' ? 'circle' : 'triangle',
        borderDash: dash,
        borderWidth: 2,
        showLine: true,
      });
    }
    // The fixed-rate fan-out (median of its rounds): diamonds, no line.
    const rounds = results.fanout.filter((r) => r.system === system);
    if (rounds.length > 0) {
      const x = median(rounds.map((r) => r.deliveredPerSec));
      maxX = Math.max(maxX, x);
      datasets.push({
        label: `${system} fan-out`,
        data: [
          { x, y: median(rounds.map((r) => r.latencyMs.p99)) },
          { x, y: median(rounds.map((r) => r.latencyMs.p50)) },
        ],
        borderColor: colour,
        backgroundColor: [colour, '#ffffff'],
        pointStyle: 'rectRot',
        pointRadius: 7,
        showLine: false,
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
  const o = results.options;
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
            'Latency vs delivered messages/s. Max ramp: p99 solid, p50 dashed, hollow = step did not hold. ' +
              'Fixed-rate fan-out: diamonds (filled p99, hollow p50)',
            `${o.replicas} replicas, ${o.clients} clients, ${o.senders} senders, one Redis, load generator on the same machine; ` +
              `${m.nproc} cores (${m.cpuModel}), Node ${m.node}; run of ${results.startedAt}`,
          ],
          font: { size: 13 },
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
  const config = ${JSON.stringify(chartConfig(results))};
  // One legend entry per system (its p99 line); the title says what the other marks are.
  config.options.plugins.legend.labels = { filter: (item) => !/ (p50|fan-out)$/.test(item.text) };
  new Chart(document.getElementById('c'), config);
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
