/**
 * The Grafana dashboard (dashboards/chat.json) checked as Grafana would load it, without a Grafana
 * (none is packaged for this machine): the current schema, the variables, the rows, a layout with
 * no overlaps, and every query bound to the `datasource` variable and filtered by job and pod.
 * Whether its queries run and return data is services/chat/e2e/monitoring.test.ts's job, on a real
 * Prometheus; here the metric names are checked against the service's own definitions.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  allPanels,
  type GridPos,
  legend,
  loadDashboard,
  metricNames,
  queryPanels,
  regexValues,
  substitute,
} from '../../../scripts/lib/dashboard.ts';
import { repoRoot } from '../../../scripts/render-k8s.ts';
import { EVENT_LOOP_SAMPLE_MS } from '../../../services/chat/src/metrics.ts';

const dashboard = loadDashboard();
const panels = allPanels(dashboard);
const withQueries = queryPanels(dashboard);
const targets = withQueries.flatMap((panel) => panel.targets.map((target) => ({ panel, target })));
const variables = new Map(dashboard.templating.list.map((variable) => [variable.name, variable]));
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not JavaScript's
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

/** Panel types of current Grafana core (no Angular-era graph/singlestat, removed in Grafana 11). */
const PANEL_TYPES = new Set(['row', 'timeseries', 'stat', 'state-timeline', 'table']);

describe('dashboards/chat.json', () => {
  it('is a dashboard of the current Grafana schema (12+), ready to be provisioned', () => {
    // 41 is Grafana 12.0's, 42 the last of the classic model (Grafana 12.2 and later).
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(41);
    expect(dashboard.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    expect(dashboard.title).toBe('Chat');
    // No database id, and no __inputs: file provisioning and the Grafana sidecar take it as it is.
    expect(dashboard).not.toHaveProperty('id');
    expect(dashboard).not.toHaveProperty('__inputs');
  });

  it('picks its Prometheus from a `datasource` variable, which every panel and query uses', () => {
    expect(variables.get('datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    for (const panel of withQueries) {
      expect(panel.datasource, panel.title).toEqual(DATASOURCE);
      for (const target of panel.targets)
        expect(target.datasource, `${panel.title} ${target.refId}`).toEqual(DATASOURCE);
    }
  });

  it('has a replica (pod) variable, and job and namespace ones, all from chat_info', () => {
    const pod = variables.get('pod');
    expect(pod).toMatchObject({ type: 'query', multi: true, includeAll: true, allValue: '.+', datasource: DATASOURCE });
    expect(pod?.definition).toBe('label_values(chat_info{namespace=~"$namespace", job="$job"}, pod)');
    expect(variables.get('job')?.definition).toBe('label_values(chat_info{namespace=~"$namespace"}, job)');
    // Compose series have no namespace: "All" must be a regex that also matches the empty value.
    expect(variables.get('namespace')).toMatchObject({ includeAll: true, allValue: '.*' });
    expect(new RegExp(`^${variables.get('namespace')?.allValue}$`).test('')).toBe(true);
  });

  it('has the rows Traffic, Rooms, Latency, Errors, Broker and Runtime, in that order, each with panels', () => {
    const rows = dashboard.panels.filter((panel) => panel.type === 'row');
    expect(rows.map((row) => row.title)).toEqual(['Traffic', 'Rooms', 'Latency', 'Errors', 'Broker', 'Runtime']);
    expect(dashboard.panels[0]?.type).toBe('row');
    // Open rows: their panels follow them at the top level, below the row and above the next one.
    for (const [i, row] of rows.entries()) {
      expect(row.panels ?? [], row.title).toEqual([]);
      const next = rows[i + 1]?.gridPos.y ?? Number.POSITIVE_INFINITY;
      const inRow = dashboard.panels.filter(
        (p) => p.type !== 'row' && p.gridPos.y > row.gridPos.y && p.gridPos.y < next,
      );
      expect(inRow.length, row.title).toBeGreaterThanOrEqual(3);
    }
  });

  it('uses only current core panel types, each panel with a unique id and a title', () => {
    const ids = panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of panels) {
      expect(Number.isInteger(panel.id) && panel.id > 0, panel.title).toBe(true);
      expect(PANEL_TYPES.has(panel.type), `${panel.title}: ${panel.type}`).toBe(true);
      expect(panel.title.length).toBeGreaterThan(0);
    }
  });

  it('lays every panel out on the 24-column grid without overlaps', () => {
    const overlap = (a: GridPos, b: GridPos) =>
      a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
    for (const panel of panels) {
      const { x, y, w, h } = panel.gridPos;
      expect([x, y, w, h].every(Number.isInteger), panel.title).toBe(true);
      expect(
        x >= 0 && y >= 0 && w >= 1 && h >= 1 && x + w <= 24,
        `${panel.title} ${JSON.stringify(panel.gridPos)}`,
      ).toBe(true);
    }
    for (const [i, a] of panels.entries()) {
      for (const b of panels.slice(i + 1)) {
        expect(overlap(a.gridPos, b.gridPos), `${a.title} overlaps ${b.title}`).toBe(false);
      }
    }
  });

  it('gives every query an expression and a refId unique in its panel', () => {
    for (const panel of withQueries) {
      const refIds = panel.targets.map((target) => target.refId);
      expect(new Set(refIds).size, panel.title).toBe(refIds.length);
      for (const target of panel.targets) expect(target.expr.trim().length, panel.title).toBeGreaterThan(0);
    }
    expect(targets.length).toBeGreaterThan(25);
  });

  it('filters every metric by the namespace, job and pod variables, and rates over $__rate_interval', () => {
    for (const { panel, target } of targets) {
      const selectors = target.expr.match(/\{[^}]*\}/g) ?? [];
      expect(selectors.length, `${panel.title}: ${target.expr}`).toBeGreaterThan(0);
      for (const selector of selectors) {
        expect(selector, panel.title).toContain('namespace=~"$namespace"');
        expect(selector, panel.title).toContain('job="$job"');
        expect(selector, panel.title).toContain('pod=~"$pod"');
      }
      const unselected = target.expr.replace(/\{[^}]*\}/g, '{}'); // [45].. in a matcher is no range
      for (const range of unselected.match(/\b(?:rate|increase)\([^[]*\[([^\]]+)\]/g) ?? []) {
        expect(range, panel.title).toMatch(/\[\$__rate_interval\]$/);
      }
    }
  });

  it('answers the questions it is for: clients, traffic, latency percentiles, rejections, drops, broker, runtime, HTTP', () => {
    const all = targets.map(({ target }) => target.expr).join('\n');
    for (const needed of [
      'chat_connections_open',
      'chat_messages_received_total',
      'chat_messages_published_total',
      'chat_messages_delivered_total',
      'histogram_quantile(0.5, sum by (le) (rate(chat_delivery_latency_seconds_bucket',
      'histogram_quantile(0.95, sum by (le) (rate(chat_delivery_latency_seconds_bucket',
      'histogram_quantile(0.99, sum by (le) (rate(chat_delivery_latency_seconds_bucket',
      'sum by (reason) (rate(chat_messages_rejected_total',
      'chat_slow_consumer_disconnects_total',
      'chat_broker_up',
      'chat_broker_publish_errors_total',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_p99_seconds',
      'chat_http_request_duration_seconds_count{namespace=~"$namespace", job="$job", pod=~"$pod", status=~"[45].."}',
      'chat_ready',
    ]) {
      expect(all, needed).toContain(needed);
    }
  });

  it("shows event-loop lag without the monitor's sampling interval, which prom-client's gauge counts in", () => {
    const lag = targets.filter(({ target }) => target.expr.includes('nodejs_eventloop_lag_p99_seconds'));
    expect(lag.map(({ panel }) => panel.title)).toEqual(['Event-loop lag per replica']);
    // The interval the service samples at (metrics.ts), in seconds, taken off and floored at 0.
    expect(lag[0]?.target.expr).toMatch(
      new RegExp(`^clamp_min\\(.*nodejs_eventloop_lag_p99_seconds.* - ${EVENT_LOOP_SAMPLE_MS / 1000}, 0\\)$`),
    );
  });

  it('reads only chat_ metrics that services/chat/src/metrics.ts defines', () => {
    const source = readFileSync(`${repoRoot}/services/chat/src/metrics.ts`, 'utf8');
    const defined = new Set([...source.matchAll(/name: '(chat_\w+)'/g)].map((match) => match[1]));
    expect(defined.size).toBeGreaterThan(10);
    for (const { panel, target } of targets) {
      for (const name of metricNames(target.expr).filter((n) => n.startsWith('chat_'))) {
        const base = name.replace(/_(bucket|sum|count)$/, '');
        expect(defined.has(name) || defined.has(base), `${panel.title}: ${name}`).toBe(true);
      }
    }
  });
});

describe('the dashboard helpers (scripts/lib/dashboard.ts)', () => {
  it('finds the metric names of an expression, not its functions, labels or keywords', () => {
    expect(metricNames('sum by (pod, le) (rate(chat_x_bucket{job="$job", le=~"0.1"}[5m]))')).toEqual(['chat_x_bucket']);
    expect(
      metricNames(
        'count(chat_broker_up{pod=~"a|b"} == 0) or vector(0) and on (instance) group_left (version) chat_info',
      ),
    ).toEqual(['chat_broker_up', 'chat_info']);
    expect(metricNames('histogram_quantile(0.99, sum without (pod) (rate(a_total[1m] offset 5m)))')).toEqual([
      'a_total',
    ]);
    expect(metricNames('x / ignoring(route) y')).toEqual(['x', 'y']);
  });

  it('substitutes variables as Grafana does, and refuses an unknown one', () => {
    const values = { job: 'chat', pod: '.+', __rate_interval: '10s' };
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not JavaScript's
    expect(substitute('rate(a{job="$job", pod=~"${pod}"}[$__rate_interval])', values)).toBe(
      'rate(a{job="chat", pod=~".+"}[10s])',
    );
    expect(() => substitute('a{x="$unknown"}', values)).toThrow(/\$unknown/);
  });

  it("escapes a selection the way Grafana's Prometheus datasource does", () => {
    expect(regexValues(['127.0.0.1:8080'])).toBe('127\\\\.0\\\\.0\\\\.1:8080');
    expect(regexValues(['chat-a', 'chat-b'])).toBe('(chat-a|chat-b)');
  });

  it('writes legends from {{label}} formats', () => {
    expect(legend('{{pod}} p99', { pod: 'chat-a' })).toBe('chat-a p99');
    expect(legend('', { __name__: 'up', job: 'chat' })).toBe('up{job="chat"}');
  });
});
