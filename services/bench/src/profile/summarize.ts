/**
 * Reads a V8 CPU profile (`node --cpu-prof`) and says where the time went inside one window: self
 * time per function, the same grouped by library, and inclusive time of the functions on the hot
 * path. V8 stamps samples with CLOCK_MONOTONIC in µs, the clock the load generator uses, so the
 * window is cut to exactly the measured run.
 */
import { readFileSync } from 'node:fs';
import { repoRelative } from '../repo-path.ts';
import type { ProfileSummary } from '../report/results.ts';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Library or layer a frame belongs to, from its script URL. */
export function category(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'V8/native, unattributed';
    return 'native (libuv writes, builtins)';
  }
  const packages: [RegExp, string][] = [
    [/node_modules\/ws\//, 'ws'],
    [/node_modules\/(ioredis|@ioredis|redis-parser|redis-errors|denque|cluster-key-slot)\//, 'ioredis'],
    [/node_modules\/prom-client\//, 'prom-client'],
    [/node_modules\/(pino|sonic-boom|thread-stream)/, 'pino'],
    [/node_modules\/(hono|@hono)\//, 'hono'],
    [/node_modules\/(socket\.io|engine\.io|@socket\.io)/, 'socket.io'],
    [/node_modules\/bufferutil\//, 'bufferutil'],
    [/services\/chat\/src\//, 'chat (our code)'],
    [/services\/bench\/src\/servers\//, 'peer server code'],
  ];
  for (const [pattern, name] of packages) if (pattern.test(url)) return name;
  if (url.startsWith('node:'))
    return `node: ${
      url
        .slice(5)
        .replace(/^internal\//, '')
        .split('/')[0]
    }`;
  return 'other';
}

const where = (f: CallFrame) =>
  f.url === ''
    ? ''
    : `${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/services\//, 'services/')}:${f.lineNumber + 1}`;

export function summarizeProfile(
  system: string,
  file: string,
  window: { fromUs: number; toUs: number } | undefined,
  limit = 25,
): Omit<ProfileSummary, 'workload'> & { collapsed: string } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfCount = new Map<number, number>();
  let t = profile.startTime;
  let samples = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (window !== undefined && (t < window.fromUs || t > window.toUs)) continue;
    const id = profile.samples[i] as number;
    // Percentages are of busy time: a replica at the fan-out rate is mostly idle.
    if ((byId.get(id) as ProfileNode).callFrame.functionName === '(idle)') {
      idle++;
      continue;
    }
    selfCount.set(id, (selfCount.get(id) ?? 0) + 1);
    samples++;
  }
  const key = (f: CallFrame) => `${f.functionName || '(anonymous)'}\u0000${where(f)}`;
  const self = new Map<string, number>();
  const categories = new Map<string, number>();
  for (const [id, count] of selfCount) {
    const frame = (byId.get(id) as ProfileNode).callFrame;
    self.set(key(frame), (self.get(key(frame)) ?? 0) + count);
    const c = category(frame);
    categories.set(c, (categories.get(c) ?? 0) + count);
  }
  // Inclusive: each function counted once per sample even when it appears twice on the stack.
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  for (const [id, count] of selfCount) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = (byId.get(at) as ProfileNode).callFrame;
      if (frame.functionName === '(root)') break;
      const k = key(frame);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + count);
    }
  }
  const pct = (n: number) => Math.round((n / Math.max(1, samples)) * 1000) / 10;
  const split = (k: string) => {
    const [name = '', at = ''] = k.split('\u0000');
    return { name, where: at };
  };
  // Brendan Gregg's collapsed stacks ("root;caller;callee count"), for any flame graph tool.
  const collapsed = [...selfCount.entries()]
    .map(([id, count]) => {
      const stack: string[] = [];
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const frame = (byId.get(at) as ProfileNode).callFrame;
        if (frame.functionName === '(root)') break;
        stack.push(`${frame.functionName || '(anonymous)'} ${where(frame)}`.trim().replaceAll(';', ','));
      }
      return `${stack.reverse().join(';')} ${count}`;
    })
    .join('\n');
  return {
    system,
    file: repoRelative(file),
    samples,
    idleSamples: idle,
    collapsed,
    top: [...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([k, n]) => ({ ...split(k), selfPct: pct(n) })),
    categories: [...categories.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([c, n]) => ({ category: c, selfPct: pct(n) })),
    inclusive: [...inclusive.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([k, n]) => ({ ...split(k), pct: pct(n) })),
  };
}

export function renderProfile(summary: ReturnType<typeof summarizeProfile>, workload: string): string {
  const lines = [
    `CPU profile of ${summary.system} (first replica), ${workload}: ${summary.samples} busy samples ` +
      `(${Math.round((summary.samples / Math.max(1, summary.samples + summary.idleSamples)) * 100)} % of the window busy); % of busy time`,
    `  ${summary.file}`,
    '  by library (self time):',
    ...summary.categories.map((c) => `    ${c.selfPct.toFixed(1).padStart(5)} %  ${c.category}`),
    '  top functions (self time):',
    ...summary.top.map((f) => `    ${f.selfPct.toFixed(1).padStart(5)} %  ${f.name}  ${f.where}`),
    '  top functions (inclusive time):',
    ...summary.inclusive.map((f) => `    ${f.pct.toFixed(1).padStart(5)} %  ${f.name}  ${f.where}`),
  ];
  return `${lines.join('\n')}\n`;
}
