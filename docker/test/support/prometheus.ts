/**
 * The monitoring stack's Prometheus side, run for real on this machine (Debian's `prometheus` and
 * `promtool`): the compose scrape config (docker/monitoring/prometheus.yml) made runnable here,
 * promtool, and a Prometheus process on a loopback port that is stopped by its PID.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { firstThatRuns } from '../../../scripts/lib/find-binary.ts';
import { ManagedProcess } from '../../../scripts/lib/process.ts';
import { freePort, httpStatus } from '../../../scripts/lib/wait.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

export const COMPOSE_PROMETHEUS_CONFIG = join(REPO, 'docker', 'monitoring', 'prometheus.yml');
/** The alert rules: one file, mounted by compose and read by the chart's PrometheusRule. */
export const ALERT_RULES = join(REPO, 'charts', 'chat', 'alerts', 'chat.rules.yml');
export const ALERT_RULE_TESTS = join(REPO, 'charts', 'chat', 'test', 'alerts', 'chat.rules.test.yml');

const INSTALL_HINT = 'apt-get install -y prometheus (it brings promtool too)';

const found = new Map<string, string>();

/** A binary of Debian's prometheus package: PROMETHEUS_PATH / PROMTOOL_PATH, else PATH. */
export function findBinary(name: 'prometheus' | 'promtool'): string {
  const known = found.get(name);
  if (known !== undefined) return known;
  const binary = (name === 'prometheus' ? process.env.PROMETHEUS_PATH : process.env.PROMTOOL_PATH) ?? name;
  if (firstThatRuns([binary], ['--version']) === null) {
    throw new Error(`no ${name} for this test (${binary}): ${INSTALL_HINT}`);
  }
  found.set(name, binary);
  return binary;
}

export interface ToolRun {
  status: number | null;
  output: string;
}

/** Runs `promtool <args>`; output is stdout and stderr together, for assertions and messages. */
export function promtool(args: readonly string[]): ToolRun {
  const run = spawnSync(findBinary('promtool'), args, { encoding: 'utf8', timeout: 60_000 });
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

// biome-ignore lint/suspicious/noExplicitAny: a parsed Prometheus config, edited field by field.
export type PrometheusConfig = Record<string, any>;

export function readComposePrometheusConfig(): PrometheusConfig {
  return parse(readFileSync(COMPOSE_PROMETHEUS_CONFIG, 'utf8')) as PrometheusConfig;
}

/**
 * The compose config as it runs outside a container: its rule file is the one compose mounts,
 * read from the repository. With `targets`, the chat job's DNS discovery (compose's "app" name) is
 * replaced by these addresses, and nothing else: the relabelling that makes the `pod` label stays.
 */
export function localPrometheusConfig(
  options: { targets?: readonly string[]; scrapeInterval?: string } = {},
): PrometheusConfig {
  const config = readComposePrometheusConfig();
  config.rule_files = [ALERT_RULES];
  if (options.scrapeInterval !== undefined) {
    config.global.scrape_interval = options.scrapeInterval;
    config.global.evaluation_interval = options.scrapeInterval;
  }
  if (options.targets !== undefined) {
    const job = config.scrape_configs.find((scrape: PrometheusConfig) => scrape.job_name === 'chat');
    if (job === undefined) throw new Error(`${COMPOSE_PROMETHEUS_CONFIG} has no job "chat"`);
    delete job.dns_sd_configs;
    job.static_configs = [{ targets: [...options.targets] }];
  }
  return config;
}

/** Writes the config to a file in `dir` and returns its path. */
export function writeConfig(config: PrometheusConfig, dir: string): string {
  const path = join(dir, 'prometheus.yml');
  writeFileSync(path, stringify(config));
  return path;
}

export interface LocalPrometheus {
  readonly url: string;
  readonly pid: number | undefined;
  /** Stops the process (SIGTERM, by PID) and removes its data directory. */
  stop(): Promise<void>;
}

/** Starts Prometheus on a free loopback port with this config; resolves once /-/ready answers. */
export async function startPrometheus(config: PrometheusConfig): Promise<LocalPrometheus> {
  const binary = findBinary('prometheus');
  const dir = mkdtempSync(join(tmpdir(), 'chat-prometheus-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const managed = new ManagedProcess({
    name: 'prometheus',
    command: binary,
    args: [
      `--config.file=${writeConfig(config, dir)}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
  });
  const stop = async () => {
    await managed.stop('SIGTERM', 10_000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await managed.waitReady(
      `prometheus to be ready on ${url}`,
      20_000,
      async () => (await httpStatus(`${url}/-/ready`)) === 200,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    get pid() {
      return managed.running ? managed.pid : undefined;
    },
    stop,
  };
}
