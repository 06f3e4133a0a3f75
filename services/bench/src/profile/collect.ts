/**
 * After a profiled server has exited: finds the profile V8 wrote, cuts it to the measured window,
 * and leaves beside it a summary, collapsed stacks and a flame graph.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProfileSummary } from '../report/results.ts';
import { flameGraphSvg } from './flamegraph.ts';
import { renderProfile, summarizeProfile } from './summarize.ts';

export function collectProfile(
  system: string,
  workload: string,
  dir: string,
  window: { fromUs: number; toUs: number },
  log: (line: string) => void,
): ProfileSummary | undefined {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (file === undefined) {
    log(`bench: ${system}: no CPU profile was written in ${dir}`);
    return undefined;
  }
  const summary = summarizeProfile(system, join(dir, file), window);
  const { collapsed, ...rest } = summary;
  const text = renderProfile(summary, workload);
  writeFileSync(join(dir, 'summary.txt'), text);
  writeFileSync(join(dir, 'stacks.collapsed'), `${collapsed}\n`);
  writeFileSync(
    join(dir, 'flamegraph.svg'),
    flameGraphSvg(collapsed, `${system}, first replica, ${workload} (busy samples only)`),
  );
  log(text);
  return { ...rest, workload };
}
