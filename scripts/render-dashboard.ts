/**
 * Draws the chart's Grafana dashboard (charts/chat/dashboards/chat.json) from a real Prometheus
 * into a PNG, laid out as Grafana lays it out (each panel at its gridPos), without Grafana: the
 * panels' own queries go to Prometheus' HTTP API, and headless Chromium draws the series with
 * chart.js. The README's picture (docs/dashboard.png) comes from the real-Prometheus test
 * (services/chat/e2e/monitoring.test.ts); this shows any running chat the same way.
 *
 *   node scripts/render-dashboard.ts --prometheus http://127.0.0.1:9090 [--out dashboard.png]
 *     [--minutes 30] [--job chat] [--namespace '.*'] [--rate-interval 1m]
 *
 * Needs Chromium (Debian: apt-get install -y chromium; or CHROMIUM_PATH) and the repository's
 * node_modules (playwright-core, chart.js).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './lib/chromium.ts';
import {
  allPanels,
  type Dashboard,
  type GridPos,
  legend,
  loadDashboard,
  type Panel,
  type Substitutions,
  substitute,
} from './lib/dashboard.ts';
import { query, queryRange } from './lib/prometheus-api.ts';

const CHART_JS = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.js');

export interface RenderOptions {
  /** Base URL of Prometheus, e.g. http://127.0.0.1:9090 */
  prometheus: string;
  /** Where the PNG goes. */
  out: string;
  /** Time range drawn, unix seconds. */
  start: number;
  end: number;
  /** Values of the dashboard variables and of $__rate_interval (see scripts/lib/dashboard.ts). */
  values: Substitutions;
  /** Seconds between points; default: the range over 120 points, at least 1 s. */
  step?: number;
  /** A browser to draw with; default: a headless Chromium launched (and closed) here. */
  browser?: Browser;
  dashboard?: Dashboard;
  /** Page width in CSS pixels (Grafana's 24 columns across it). */
  width?: number;
}

/** What the page draws: each panel with its data, nothing left to fetch. */
interface PanelData {
  type: string;
  title: string;
  gridPos: GridPos;
  unit?: string;
  decimals?: number;
  thresholds?: { color: string; value: number | null }[];
  series: { name: string; points: [number, number | null][] }[];
  table?: { columns: string[]; rows: string[][] };
}

export async function renderDashboard(options: RenderOptions): Promise<{ panels: number; series: number }> {
  const dashboard = options.dashboard ?? loadDashboard();
  const step = options.step ?? Math.max(1, Math.round((options.end - options.start) / 120));
  const panels: PanelData[] = [];
  for (const panel of allPanels(dashboard)) {
    const defaults = panel.fieldConfig?.defaults ?? {};
    const data: PanelData = {
      type: panel.type,
      title: panel.title,
      gridPos: panel.gridPos,
      unit: defaults.unit,
      decimals: defaults.decimals,
      thresholds: defaults.thresholds?.steps,
      series: [],
    };
    for (const target of panel.targets ?? []) {
      const expr = substitute(target.expr, options.values);
      if (target.format === 'table') {
        data.table = tableOf(await query(options.prometheus, expr, options.end), panel.transformations);
        continue;
      }
      for (const series of await queryRange(options.prometheus, expr, options.start, options.end, step)) {
        data.series.push({
          name: legend(target.legendFormat, series.metric),
          points: (series.values ?? []).map(([t, v]) => [t, Number.isFinite(Number(v)) ? Number(v) : null]),
        });
      }
    }
    panels.push(data);
  }
  const browser = options.browser ?? (await launchBrowser());
  try {
    writePng(options.out, await draw(browser, panels, dashboard.title, options));
  } finally {
    if (options.browser === undefined) await browser.close();
  }
  return { panels: panels.length, series: panels.reduce((sum, panel) => sum + panel.series.length, 0) };
}

/** Label columns of an instant query, minus those the panel's "organize" transformation hides. */
function tableOf(
  result: { metric: Record<string, string> }[],
  transformations: Panel['transformations'],
): PanelData['table'] {
  const organize = transformations?.find((t) => t.id === 'organize');
  const hidden = new Set(Object.keys((organize?.options?.excludeByName as object | undefined) ?? {}));
  const order = (organize?.options?.indexByName ?? {}) as Record<string, number>;
  const columns = [...new Set(result.flatMap((series) => Object.keys(series.metric)))]
    .filter((name) => !hidden.has(name))
    .sort((a, b) => (order[a] ?? 99) - (order[b] ?? 99));
  return { columns, rows: result.map((series) => columns.map((name) => series.metric[name] ?? '')) };
}

function writePng(path: string, png: Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, png);
}

async function draw(browser: Browser, panels: PanelData[], title: string, options: RenderOptions): Promise<Buffer> {
  const width = options.width ?? 1400;
  const page = await browser.newPage({ viewport: { width, height: 800 }, deviceScaleFactor: 1 });
  try {
    const model = { panels, title, start: options.start, end: options.end, width, values: options.values };
    await page.setContent(pageHtml(JSON.stringify(model)));
    await page.addScriptTag({ path: CHART_JS });
    await page.addScriptTag({ content: DRAW_SCRIPT });
    await page.waitForFunction('window.__drawn === true', undefined, { timeout: 30_000 });
    const error = await page.evaluate('window.__error');
    if (error) throw new Error(`drawing the dashboard failed: ${String(error)}`);
    return await page.locator('#dashboard').screenshot();
  } finally {
    await page.close();
  }
}

const pageHtml = (model: string) => `<!doctype html>
<meta charset="utf-8">
<style>
  body { margin: 0; background: #111217; color: #ccccdc; font: 13px Inter, system-ui, sans-serif; }
  #dashboard { position: relative; padding: 8px; }
  header { height: 40px; display: flex; align-items: baseline; gap: 16px; padding: 0 4px; }
  header h1 { font-size: 18px; font-weight: 500; margin: 0; color: #fff; }
  header span { color: #8e8e9e; }
  .panel { position: absolute; box-sizing: border-box; background: #181b1f; border: 1px solid #2c3235;
    border-radius: 2px; padding: 6px 8px; overflow: hidden; }
  .panel h2 { font-size: 13px; font-weight: 500; margin: 0 0 4px; color: #ccccdc; white-space: nowrap; }
  .row { position: absolute; font-size: 15px; font-weight: 500; color: #fff; padding-top: 6px; }
  .stat { font-size: 34px; font-weight: 500; text-align: center; margin-top: 12px; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #2c3235; }
  th { color: #6e9fff; font-weight: 500; }
</style>
<div id="dashboard"></div>
<script type="application/json" id="model">${model.replaceAll('<', '\\u003c')}</script>`;

/** Runs in the page: plain JavaScript, drawing each panel where Grafana would put it. */
const DRAW_SCRIPT = `
(() => {
  try {
    const model = JSON.parse(document.getElementById('model').textContent);
    const root = document.getElementById('dashboard');
    const COLUMNS = 24, UNIT = 26, GAP = 8, TOP = 48;
    const columnWidth = (model.width - 16) / COLUMNS;
    const palette = ['#73bf69', '#f2cc0c', '#8ab8ff', '#ff780a', '#f2495c', '#5794f2', '#b877d9', '#37872d', '#fade2a', '#c4162a'];
    const fmtTime = (t) => new Date(t * 1000).toISOString().slice(11, 19);
    const vars = Object.entries(model.values).filter(([k]) => !k.startsWith('__')).map(([k, v]) => k + '=' + v).join('  ');
    root.insertAdjacentHTML('beforeend', '<header><h1>' + model.title + '</h1><span>' + vars + '</span><span>' +
      fmtTime(model.start) + ' to ' + fmtTime(model.end) + ' UTC</span></header>');

    function format(value, unit, decimals) {
      if (value === null || value === undefined || Number.isNaN(value)) return 'No data';
      const fixed = (v, d) => (decimals !== undefined ? v.toFixed(decimals) : Number(v.toPrecision(3)).toString());
      if (unit === 's') {
        if (value === 0) return '0 s';
        if (value < 0.001) return fixed(value * 1e6, 0) + ' µs';
        if (value < 1) return fixed(value * 1000) + ' ms';
        return fixed(value) + ' s';
      }
      if (unit === 'bytes') {
        const units = ['B', 'KiB', 'MiB', 'GiB'];
        let i = 0;
        while (value >= 1024 && i < units.length - 1) { value /= 1024; i++; }
        return fixed(value) + ' ' + units[i];
      }
      if (unit === 'percentunit') return fixed(value * 100) + '%';
      if (unit && unit.startsWith('suffix:')) return fixed(value) + unit.slice(7);
      return fixed(value);
    }

    const bottom = Math.max(...model.panels.map((p) => p.gridPos.y + p.gridPos.h));
    root.style.height = TOP + bottom * UNIT + 'px';
    root.style.width = model.width - 16 + 'px';

    for (const panel of model.panels) {
      const { x, y, w, h } = panel.gridPos;
      const box = { left: 8 + x * columnWidth, top: TOP + y * UNIT, width: w * columnWidth - GAP, height: h * UNIT - GAP };
      if (panel.type === 'row') {
        root.insertAdjacentHTML('beforeend', '<div class="row" style="left:' + box.left + 'px;top:' + box.top + 'px">' + panel.title + '</div>');
        continue;
      }
      const div = document.createElement('div');
      div.className = 'panel';
      Object.assign(div.style, { left: box.left + 'px', top: box.top + 'px', width: box.width + 'px', height: box.height + 'px' });
      div.innerHTML = '<h2></h2>';
      div.firstChild.textContent = panel.title;
      root.appendChild(div);
      const inner = { width: box.width - 18, height: box.height - 32 };

      if (panel.type === 'stat') {
        const last = (panel.series[0]?.points ?? []).map((p) => p[1]).filter((v) => v !== null).at(-1);
        const steps = panel.thresholds ?? [];
        const step = steps.filter((s) => s.value === null || (last ?? -Infinity) >= s.value).at(-1);
        const colors = { green: '#73bf69', red: '#f2495c', orange: '#ff9830', blue: '#5794f2' };
        div.insertAdjacentHTML('beforeend', '<div class="stat" style="color:' + (colors[step?.color] ?? step?.color ?? '#ccccdc') + '">' +
          format(last ?? null, panel.unit, panel.decimals) + '</div>');
        continue;
      }
      if (panel.type === 'table') {
        const t = panel.table ?? { columns: [], rows: [] };
        div.insertAdjacentHTML('beforeend', '<table><tr>' + t.columns.map((c) => '<th>' + c + '</th>').join('') + '</tr>' +
          t.rows.map((r) => '<tr>' + r.map((c) => '<td>' + c + '</td>').join('') + '</tr>').join('') + '</table>');
        continue;
      }
      const canvas = document.createElement('canvas');
      canvas.width = inner.width;
      canvas.height = inner.height;
      div.appendChild(canvas);
      if (panel.type === 'state-timeline') {
        // One bar per series: green while 1, red while 0, nothing where there is no sample.
        const ctx = canvas.getContext('2d');
        const label = 150, rowH = Math.min(28, (inner.height - 16) / Math.max(1, panel.series.length));
        const span = model.end - model.start;
        panel.series.forEach((s, i) => {
          const top = i * (rowH + 4);
          ctx.fillStyle = '#ccccdc';
          ctx.font = '12px sans-serif';
          ctx.fillText(s.name, 0, top + rowH / 2 + 4);
          s.points.forEach(([t, v], j) => {
            const next = s.points[j + 1]?.[0] ?? model.end;
            if (v === null) return;
            ctx.fillStyle = v >= 1 ? '#73bf69' : '#f2495c';
            const x0 = label + ((t - model.start) / span) * (inner.width - label);
            const x1 = label + ((next - model.start) / span) * (inner.width - label);
            ctx.fillRect(Math.floor(x0), top, Math.ceil(x1 - x0) + 1, rowH);
          });
        });
        continue;
      }
      new Chart(canvas, {
        type: 'line',
        data: {
          datasets: panel.series.map((s, i) => ({
            label: s.name,
            data: s.points.map(([t, v]) => ({ x: t, y: v })),
            borderColor: palette[i % palette.length],
            backgroundColor: palette[i % palette.length] + '22',
            fill: true, borderWidth: 1.5, pointRadius: 0, spanGaps: false, tension: 0,
          })),
        },
        options: {
          animation: false, responsive: false,
          plugins: { legend: { position: 'bottom', labels: { color: '#ccccdc', boxWidth: 10, boxHeight: 2, font: { size: 11 } } } },
          scales: {
            x: { type: 'linear', min: model.start, max: model.end, grid: { color: '#2c3235' },
              ticks: { color: '#8e8e9e', maxTicksLimit: 6, callback: (v) => fmtTime(v) } },
            y: { beginAtZero: true, grid: { color: '#2c3235' },
              ticks: { color: '#8e8e9e', maxTicksLimit: 5, callback: (v) => format(v, panel.unit, panel.decimals) } },
          },
        },
      });
    }
  } catch (error) {
    window.__error = String(error && error.stack || error);
  }
  window.__drawn = true;
})();
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      prometheus: { type: 'string' },
      out: { type: 'string', default: 'dashboard.png' },
      minutes: { type: 'string', default: '30' },
      job: { type: 'string', default: 'chat' },
      namespace: { type: 'string', default: '.*' },
      'rate-interval': { type: 'string', default: '1m' },
    },
  });
  if (values.prometheus === undefined) {
    process.stderr.write(
      'usage: node scripts/render-dashboard.ts --prometheus http://127.0.0.1:9090 [--out dashboard.png] ' +
        "[--minutes 30] [--job chat] [--namespace '.*'] [--rate-interval 1m]\n",
    );
    process.exit(2);
  }
  const end = Math.floor(Date.now() / 1000);
  const result = await renderDashboard({
    prometheus: values.prometheus,
    out: values.out,
    start: end - Number(values.minutes) * 60,
    end,
    values: {
      namespace: values.namespace,
      job: values.job,
      pod: '.+',
      __rate_interval: values['rate-interval'],
    },
  });
  process.stdout.write(`render-dashboard: ${result.panels} panels, ${result.series} series -> ${values.out}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
