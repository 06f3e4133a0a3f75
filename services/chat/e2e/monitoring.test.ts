/**
 * The monitoring stack against a real Prometheus (Debian's `prometheus`): three replicas behind
 * nginx with clients chatting across them, scraped every second by a Prometheus running the compose
 * scrape config (docker/monitoring/prometheus.yml; only its DNS discovery of "app" is swapped for
 * the replicas' loopback addresses) and the chart's alert rules. Then every query of the Grafana
 * dashboard (charts/chat/dashboards/chat.json) is sent to Prometheus, variables substituted as
 * Grafana would: each must parse and return data, and read only metrics the service exports. The
 * dashboard is drawn from the same data into test-results/monitoring/dashboard.png
 * (UPDATE_SCREENSHOT=1 also copies it to docs/dashboard.png, the README's picture).
 */
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  type LocalPrometheus,
  localPrometheusConfig,
  startPrometheus,
} from '../../../docker/test/support/prometheus.ts';
import {
  allPanels,
  loadDashboard,
  metricNames,
  queryPanels,
  regexValues,
  type Substitutions,
  substitute,
} from '../../../scripts/lib/dashboard.ts';
import { labelValues, metricNamesStored, query } from '../../../scripts/lib/prometheus-api.ts';
import { renderDashboard } from '../../../scripts/render-dashboard.ts';
import { launchBrowser } from '../test/support/browser.ts';
import { sleep, waitUntil } from '../test/support/wait.ts';
import { startTestCluster, type TestCluster } from './support/cluster.ts';
import { updateReadmePicture } from './support/screenshot.ts';

const RESULTS = fileURLToPath(new URL('../../../test-results/monitoring/', import.meta.url));

/** How long clients chat before the dashboard is queried: enough 1 s scrapes for every rate(). */
const TRAFFIC_MS = 22_000;
/**
 * Grafana's $__rate_interval is max(4 x scrape interval, query step + scrape interval): with 1 s
 * scrapes a few seconds; 10 s keeps every rate() over several samples.
 */
const RATE_INTERVAL = '10s';

const dashboard = loadDashboard();
const targets = queryPanels(dashboard).flatMap((panel) =>
  panel.targets.map((target) => ({ panel: panel.title, ...target })),
);

let cluster: TestCluster;
let prometheus: LocalPrometheus;
let traffic: Traffic;
let trafficStart: number;
let addresses: string[];
/** Every metric name a replica's /metrics shows (histogram series included), after traffic. */
let exported: Set<string>;

/** All replicas selected, as the dashboard opens. */
const allReplicas = (): Substitutions => ({
  namespace: '.*', // "All" of a variable that has no values here: compose series carry no namespace
  job: 'chat',
  pod: '.+',
  __rate_interval: RATE_INTERVAL,
});

beforeAll(async () => {
  // No drill here, so nothing reads the replicas' connection log lines: keep them quiet.
  cluster = await startTestCluster({ replicaEnv: { LOG_LEVEL: 'warn' } });
  addresses = cluster.replicas.map((replica) => `127.0.0.1:${replica.port}`);
  prometheus = await startPrometheus(localPrometheusConfig({ targets: addresses, scrapeInterval: '1s' }));
  trafficStart = Date.now() / 1000;
  traffic = new Traffic(cluster);
  traffic.start();
  await sleep(TRAFFIC_MS);
  // Bounded: every target scraped at least 15 times before anything is judged.
  await waitUntil('15 scrapes of every replica', 15_000, async () => {
    const result = await query(prometheus.url, 'count_over_time(up{job="chat"}[1m])');
    return result.length === 3 && result.every((series) => Number(series.value?.[1]) >= 15);
  });
  exported = new Set(metricLines(await (await fetch(`${cluster.replicas[0]?.url}/metrics`)).text()));
});

afterAll(async () => {
  traffic?.stop();
  await prometheus?.stop();
  await cluster?.stop();
});

describe('Prometheus with the compose scrape config', () => {
  it('scrapes all three replicas, each with the pod label the dashboard filters on', async () => {
    const up = await query(prometheus.url, 'up{job="chat"}');
    expect(up.map((series) => series.metric.pod).sort()).toEqual([...addresses].sort());
    expect(up.every((series) => series.value?.[1] === '1')).toBe(true);
    const info = await query(prometheus.url, 'chat_info');
    expect(info.map((series) => series.metric.replica).sort()).toEqual(['replica-1', 'replica-2', 'replica-3']);
  });

  it('loads the chart alert rules and evaluates them cleanly; nothing critical fires on a healthy chat', async () => {
    let rules: { name: string; health: string; state?: string; lastError?: string }[] = [];
    await waitUntil('every rule evaluated', 10_000, async () => {
      const answer = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as {
        data: { groups: { name: string; rules: typeof rules }[] };
      };
      rules = answer.data.groups.flatMap((group) => group.rules);
      return rules.length > 0 && rules.every((rule) => rule.health !== 'unknown');
    });
    expect(rules.map((rule) => rule.name).sort()).toEqual([
      'ChatBrokerDown',
      'ChatDeliveryLatencyHigh',
      'ChatNoReadyReplicas',
      'ChatPublishErrors',
      'ChatReplicaRestarting',
      'ChatSlowConsumerDisconnects',
    ]);
    for (const rule of rules) expect(rule.health, `${rule.name}: ${rule.lastError}`).toBe('ok');
    const stateOf = (name: string) => rules.find((rule) => rule.name === name)?.state;
    expect(stateOf('ChatNoReadyReplicas')).toBe('inactive');
    expect(stateOf('ChatBrokerDown')).toBe('inactive');
  });
});

describe('the Grafana dashboard on real data', () => {
  it('reads only metrics the service exports (and Prometheus has stored)', async () => {
    const stored = new Set(await metricNamesStored(prometheus.url));
    const unknown: string[] = [];
    for (const target of targets) {
      const names = metricNames(target.expr);
      expect(names.length, `${target.panel} ${target.refId} reads no metric: ${target.expr}`).toBeGreaterThan(0);
      for (const name of names) {
        if (!exported.has(name) || !stored.has(name)) unknown.push(`${target.panel} (${target.refId}): ${name}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  it('every panel query parses and returns data with all replicas selected', async () => {
    const failures: string[] = [];
    for (const target of targets) {
      const expr = substitute(target.expr, allReplicas());
      try {
        const result = await query(prometheus.url, expr);
        if (result.length === 0) failures.push(`${target.panel} (${target.refId}) returned no data: ${expr}`);
      } catch (error) {
        failures.push(`${target.panel} (${target.refId}): ${(error as Error).message}`);
      }
    }
    console.log(`[monitoring] ${targets.length} panel targets of ${queryPanels(dashboard).length} panels checked`);
    expect(failures).toEqual([]);
    expect(targets.length).toBeGreaterThan(25);
  });

  it('with one replica selected, the per-replica panels show that replica only', async () => {
    const [one = ''] = addresses;
    const values = { ...allReplicas(), pod: regexValues([one]) };
    const perReplica = targets.filter((target) => target.legendFormat?.includes('{{pod}}'));
    expect(perReplica.length).toBeGreaterThan(10);
    for (const target of perReplica) {
      const result = await query(prometheus.url, substitute(target.expr, values));
      expect(result.length, `${target.panel} (${target.refId})`).toBeGreaterThan(0);
      expect(new Set(result.map((series) => series.metric.pod)), target.panel).toEqual(new Set([one]));
    }
  });

  it("reads event-loop lag without the monitor's 10 ms sampling interval: near 0 on a lightly loaded replica", async () => {
    const [lag] = targets.filter((target) => target.expr.includes('nodejs_eventloop_lag_p99_seconds'));
    const panel = substitute(lag?.expr ?? '', allReplicas());
    // prom-client's own gauge reads at least the interval between two of its samples in a typical
    // scrape. (Not in every one: each read of /metrics resets its histogram, so a scrape just after
    // another read, such as this file's own fetch of a replica's /metrics, sees an almost empty
    // window; the panel's floor at 0 covers that too.)...
    const gauge = await query(
      prometheus.url,
      'min by (pod) (quantile_over_time(0.5, nodejs_eventloop_lag_p99_seconds[1m]))',
    );
    expect(gauge).toHaveLength(3);
    for (const series of gauge) expect(Number(series.value?.[1]), series.metric.pod).toBeGreaterThanOrEqual(0.009);
    // ...and the panel, which takes it off, reads a few hundred microseconds in some second of light
    // chat, on every replica (the old panel, the gauge as it is, reads 10 ms or more on those whose
    // /metrics only Prometheus reads).
    const panelLowest = await query(prometheus.url, `min_over_time((${panel})[1m:1s])`);
    expect(panelLowest).toHaveLength(3);
    for (const series of panelLowest) expect(Number(series.value?.[1]), series.metric.pod).toBeLessThan(0.005);
  });

  it('its variables find the job and every replica, as Grafana would list them', async () => {
    const listed = new Map<string, string[]>();
    for (const variable of dashboard.templating.list.filter((v) => v.type === 'query')) {
      const text = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
      const match = /^label_values\((.+),\s*(\w+)\)$/.exec(text);
      expect(match, `${variable.name}: ${text}`).not.toBeNull();
      const [, selector = '', label = ''] = match ?? [];
      listed.set(variable.name, await labelValues(prometheus.url, label, substitute(selector, allReplicas())));
    }
    expect(listed.get('namespace')).toEqual([]); // no namespace outside Kubernetes: "All" (.*) it is
    expect(listed.get('job')).toEqual(['chat']);
    expect(listed.get('pod')?.sort()).toEqual([...addresses].sort());
  });

  it('draws the dashboard from the same data (test-results/monitoring/dashboard.png)', async () => {
    let browser: Browser | undefined;
    try {
      browser = await launchBrowser();
      const out = `${RESULTS}dashboard.png`;
      const drawn = await renderDashboard({
        prometheus: prometheus.url,
        out,
        start: await firstScrape(),
        end: Math.ceil(Date.now() / 1000),
        step: 1,
        values: allReplicas(),
        browser,
      });
      expect(drawn.panels).toBe(allPanels(dashboard).length);
      expect(drawn.series).toBeGreaterThan(40);
      expect(statSync(out).size).toBeGreaterThan(50_000);
      console.log(`[monitoring] dashboard drawn: ${out} (${drawn.panels} panels, ${drawn.series} series)`);
      updateReadmePicture(out, 'dashboard.png', 'monitoring');
    } finally {
      await browser?.close();
    }
  });
});

/** When Prometheus first scraped the replicas (it starts scraping a moment after it is ready). */
async function firstScrape(): Promise<number> {
  const [first] = await query(prometheus.url, 'min(min_over_time(timestamp(up{job="chat"})[2m:1s]))');
  return Math.floor(Number(first?.value?.[1] ?? trafficStart));
}

/** Series names of a /metrics page in the Prometheus text format. */
function metricLines(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(/[{ ]/)[0] ?? '');
}

/**
 * Clients chatting across the replicas, bounded and varied so every panel has something to show:
 * connections ramp from 3 to 12 (and two leave), each sends a message every 300 ms in the article's
 * frame, one client sends a frame that is not JSON every 1.5 s and an empty message every 4 s, and
 * a page that does not exist is asked for every second (404s).
 */
class Traffic {
  readonly #cluster: TestCluster;
  readonly #sockets: WebSocket[] = [];
  readonly #timers: NodeJS.Timeout[] = [];
  #added = 0;
  #pages = 0;

  constructor(cluster: TestCluster) {
    this.#cluster = cluster;
  }

  start(): void {
    for (let i = 0; i < 3; i++) this.#add();
    this.#every(2_000, () => this.#sockets.length < 12 && this.#add());
    const leave = () => {
      for (const ws of this.#sockets.splice(0, 2)) ws.close();
    };
    this.#timers.push(setTimeout(leave, 14_000));
    this.#every(1_500, () => this.#send('this is not json'));
    this.#every(4_000, () => this.#send(JSON.stringify({ from: 'traffic', message: '   ' })));
    this.#every(1_000, () => {
      const replica = this.#cluster.replicas[this.#pages++ % 3];
      fetch(`${replica?.url}/no-such-page`, { signal: AbortSignal.timeout(1_000) })
        .then((response) => response.body?.cancel())
        .catch(() => {});
    });
  }

  stop(): void {
    for (const timer of this.#timers) clearInterval(timer);
    for (const ws of this.#sockets) ws.terminate();
  }

  /** Sends from the oldest client still open (a new one may still be connecting). */
  #send(frame: string): void {
    this.#sockets.find((ws) => ws.readyState === WebSocket.OPEN)?.send(frame);
  }

  #every(ms: number, action: () => unknown): void {
    this.#timers.push(setInterval(action, ms));
  }

  /** One more client, on the next replica in turn, straight to it (not through nginx). */
  #add(): void {
    const replica = this.#cluster.replicas[this.#added % 3];
    const name = `client-${++this.#added}`;
    const ws = new WebSocket(`ws://127.0.0.1:${replica?.port}/ws`);
    ws.on('error', () => {}); // a refused or dropped socket ends up in 'close', which needs nothing
    let seq = 0;
    const timer = setInterval(() => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ from: name, message: `hello #${++seq}` }));
    }, 300);
    ws.on('close', () => clearInterval(timer));
    this.#timers.push(timer);
    this.#sockets.push(ws);
  }
}
