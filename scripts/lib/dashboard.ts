/**
 * The Grafana dashboard of the chart (charts/chat/dashboards/chat.json) as data: its panels and
 * their PromQL, with Grafana's template variables replaced the way Grafana would, and the metric
 * names each expression reads. The real-Prometheus test runs every expression through this, and
 * scripts/render-dashboard.ts draws the panels from it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DASHBOARD_PATH = fileURLToPath(new URL('../../charts/chat/dashboards/chat.json', import.meta.url));

export interface DataSourceRef {
  type?: string;
  uid?: string;
}

export interface Target {
  refId: string;
  expr: string;
  legendFormat?: string;
  datasource?: DataSourceRef;
  instant?: boolean;
  range?: boolean;
  format?: string;
}

export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos: GridPos;
  datasource?: DataSourceRef;
  targets?: Target[];
  /** Rows: the panels folded into a collapsed row (none here: every row is open). */
  panels?: Panel[];
  fieldConfig?: {
    defaults?: {
      unit?: string;
      decimals?: number;
      mappings?: unknown[];
      thresholds?: { mode?: string; steps?: { color: string; value: number | null }[] };
    };
  };
  transformations?: { id: string; options?: Record<string, unknown> }[];
}

export interface Variable {
  type: string;
  name: string;
  label?: string;
  query?: string | { query?: string };
  definition?: string;
  includeAll?: boolean;
  allValue?: string;
  multi?: boolean;
  datasource?: DataSourceRef;
}

export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
  [key: string]: unknown;
}

export function loadDashboard(path = DASHBOARD_PATH): Dashboard {
  return JSON.parse(readFileSync(path, 'utf8')) as Dashboard;
}

/** Every panel, rows' folded panels included, in the dashboard's order. */
export function allPanels(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** The panels that query something (not rows), with their targets. */
export function queryPanels(dashboard: Dashboard): (Panel & { targets: Target[] })[] {
  return allPanels(dashboard).filter(
    (panel): panel is Panel & { targets: Target[] } => panel.type !== 'row' && (panel.targets?.length ?? 0) > 0,
  );
}

/**
 * Values for the dashboard's variables and Grafana's built-in intervals. `$__rate_interval` is
 * what Grafana computes from the datasource's scrape interval (at least four scrapes), so a test
 * scraping every second passes a window of several seconds.
 */
export interface Substitutions {
  [name: string]: string;
}

/**
 * How Grafana's Prometheus datasource writes a selection into `label=~"$var"`: each value's regex
 * characters escaped for the regex and again for the PromQL string (`.` becomes `\\.`), several
 * values joined as (a|b).
 */
export function regexValues(values: readonly string[]): string {
  const escaped = values.map((value) => value.replace(/\\/g, '\\\\\\\\').replace(/[$^*{}[\]'+?.()|]/g, '\\\\$&'));
  return escaped.length === 1 ? (escaped[0] ?? '') : `(${escaped.join('|')})`;
}

/**
 * The expression as Grafana sends it: `$name`, `${name}` and `[[name]]` replaced. Throws naming a
 * variable the substitutions do not cover, so a new variable in the dashboard cannot slip through
 * a test unexercised.
 */
export function substitute(expr: string, values: Substitutions): string {
  return expr.replace(/\$\{(\w+)\}|\[\[(\w+)\]\]|\$(\w+)/g, (match, braced, brackets, bare) => {
    const name = (braced ?? brackets ?? bare) as string;
    const value = values[name];
    if (value === undefined) throw new Error(`no value for the variable ${match} in: ${expr}`);
    return value;
  });
}

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'atan2',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression reads: identifiers that are not functions, keywords or
 * label names. Strings, label matchers, ranges and grouping lists are removed first, so
 * `sum by (pod) (rate(chat_x_total{job="a"}[5m]))` gives chat_x_total.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  // Numbers and durations (0.99, 5m) are matched whole so that their unit is not taken for a name.
  for (const match of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*|\d[\w.]*/g)) {
    const name = match[0];
    if (/^\d/.test(name)) continue;
    const after = stripped.slice((match.index ?? 0) + name.length);
    if (/^\s*\(/.test(after) || KEYWORDS.has(name.toLowerCase())) continue; // a function call or a keyword
    names.add(name);
  }
  return [...names];
}

/** Grafana's legend: `{{label}}` replaced by the series' label values. */
export function legend(format: string | undefined, labels: Record<string, string>): string {
  if (format === undefined || format === '' || format === '__auto') {
    const inner = Object.entries(labels)
      .filter(([name]) => name !== '__name__')
      .map(([name, value]) => `${name}="${value}"`)
      .join(', ');
    return `${labels.__name__ ?? ''}{${inner}}`;
  }
  return format.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_match, name: string) => labels[name] ?? '');
}
