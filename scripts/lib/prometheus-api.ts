/**
 * The few calls of Prometheus' HTTP API (/api/v1) that the dashboard test and
 * scripts/render-dashboard.ts make. Every call is bounded in time and throws with Prometheus' own
 * error text when the query does not parse or fails.
 */

export interface Series {
  metric: Record<string, string>;
  /** [unix seconds, value as Prometheus writes it ("1.5", "NaN", "+Inf")] */
  value?: [number, string];
  values?: [number, string][];
}

interface ApiAnswer<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
}

async function get<T>(base: string, path: string, params: Record<string, string | string[]>): Promise<T> {
  const url = new URL(path, base.endsWith('/') ? base : `${base}/`);
  for (const [name, value] of Object.entries(params)) {
    for (const one of Array.isArray(value) ? value : [value]) url.searchParams.append(name, one);
  }
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const answer = (await response.json()) as ApiAnswer<T>;
  if (answer.status !== 'success' || answer.data === undefined) {
    throw new Error(`Prometheus ${path} ${JSON.stringify(params)}: ${answer.errorType}: ${answer.error}`);
  }
  return answer.data;
}

/** An instant query; resolves with the result vector (or scalar as one series). */
export async function query(base: string, expr: string, time?: number): Promise<Series[]> {
  const data = await get<{ resultType: string; result: Series[] | [number, string] }>(base, 'api/v1/query', {
    query: expr,
    ...(time === undefined ? {} : { time: String(time) }),
  });
  if (data.resultType === 'scalar' || data.resultType === 'string') {
    return [{ metric: {}, value: data.result as [number, string] }];
  }
  return data.result as Series[];
}

/** A range query from `start` to `end` (unix seconds) every `step` seconds. */
export async function queryRange(
  base: string,
  expr: string,
  start: number,
  end: number,
  step: number,
): Promise<Series[]> {
  const data = await get<{ result: Series[] }>(base, 'api/v1/query_range', {
    query: expr,
    start: String(start),
    end: String(end),
    step: String(step),
  });
  return data.result;
}

/** Values of one label, over the series `match` selects (Grafana's label_values(match, label)). */
export function labelValues(base: string, label: string, match?: string): Promise<string[]> {
  return get<string[]>(base, `api/v1/label/${encodeURIComponent(label)}/values`, match ? { 'match[]': match } : {});
}

/** Every metric name Prometheus holds. */
export function metricNamesStored(base: string): Promise<string[]> {
  return labelValues(base, '__name__');
}
