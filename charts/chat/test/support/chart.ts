/** Renders charts/chat with the real helm binary (scripts/helm.sh) and looks up the objects. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chartDir, runTool, type Tool, yamlObjects } from '../../../../scripts/render-k8s.ts';
import type { KubeObject } from './kube-schema.ts';

export type Values = Record<string, unknown>;

/** The outcome of one `helm <command> ... -f values.json`, whatever its exit code. */
export interface HelmRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `helm <args...> <chartDir> -f <values>` with the values written to a temporary file. */
export function helmWithValues(args: readonly string[], values: Values = {}, tool: Tool = 'helm'): HelmRun {
  const dir = mkdtempSync(join(tmpdir(), 'chat-chart-'));
  try {
    const file = join(dir, 'values.json');
    writeFileSync(file, JSON.stringify(values)); // JSON is YAML
    const { status, stdout, stderr } = runTool(tool, [...args, chartDir, '-f', file]);
    return { status, stdout, stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Objects of `helm template <release> charts/chat` with these values, in helm's order. */
export class Rendered {
  readonly objects: KubeObject[];

  constructor(values: Values = {}, release = 'chat', extraArgs: readonly string[] = [], tool: Tool = 'helm') {
    const run = helmWithValues(['template', release, ...extraArgs], values, tool);
    if (run.status !== 0) throw new Error(`helm template failed (${run.status}):\n${run.stderr}`);
    this.objects = yamlObjects<KubeObject>(run.stdout);
  }

  all(kind: string): KubeObject[] {
    return this.objects.filter((object) => object.kind === kind);
  }

  /** The one object of this kind (and name); fails the test when there is not exactly one. */
  // biome-ignore lint/suspicious/noExplicitAny: rendered objects are checked field by field.
  one(kind: string, name?: string): any {
    const found = this.all(kind).filter((object) => name === undefined || object.metadata.name === name);
    if (found.length !== 1) {
      const names = this.objects.map((object) => `${object.kind}/${object.metadata.name}`).join(', ');
      throw new Error(`expected one ${kind}${name ? `/${name}` : ''}, found ${found.length} among: ${names}`);
    }
    return found[0];
  }

  has(kind: string, name?: string): boolean {
    return this.all(kind).some((object) => name === undefined || object.metadata.name === name);
  }

  /** The chat container of the Deployment. */
  // biome-ignore lint/suspicious/noExplicitAny: see one().
  chatContainer(): any {
    const containers = this.one('Deployment').spec.template.spec.containers;
    // biome-ignore lint/suspicious/noExplicitAny: see one().
    return containers.find((container: any) => container.name === 'chat');
  }
}

/** helm template's stderr for values that must be refused; fails when helm accepts them. */
export function templateError(values: Values, tool: Tool = 'helm'): string {
  const run = helmWithValues(['template', 'chat'], values, tool);
  if (run.status === 0) throw new Error(`helm template accepted ${JSON.stringify(values)}`);
  return run.stderr;
}

/** True when every label of the selector is on the object with the same value (an empty selector selects nothing). */
export function selects(selector: Record<string, string>, labels: Record<string, string> = {}): boolean {
  return Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels[key] === value);
}
