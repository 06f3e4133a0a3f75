/**
 * The compose monitoring profile, checked without a Docker engine: the compose file with its
 * profile against both compose schemas, Prometheus' config with the real `promtool check config`,
 * and Grafana's provisioning files (no Grafana is packaged here) against what compose mounts.
 * The scrape config itself runs on a real Prometheus in services/chat/e2e/monitoring.test.ts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMPOSE_SCHEMAS, type ComposeSchema, composeSchemaErrors, parseCompose } from './support/compose-schema.ts';
import { REPO } from './support/docker.ts';
import {
  ALERT_RULES,
  localPrometheusConfig,
  promtool,
  readComposePrometheusConfig,
  writeConfig,
} from './support/prometheus.ts';

const read = (path: string) => readFileSync(join(REPO, path), 'utf8');

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML documents, asserted on field by field
type Any = any;

const compose = parseCompose(read('docker-compose.yml')) as Any;
const { prometheus, grafana } = compose.services;
const prometheusConfig = readComposePrometheusConfig();
const PROVISIONING = 'docker/monitoring/grafana/provisioning';
const datasources = parse(read(`${PROVISIONING}/datasources/prometheus.yml`)) as Any;
const dashboardProviders = parse(read(`${PROVISIONING}/dashboards/chat.yml`)) as Any;

/** The container path a bind mount `./host:/container[:ro]` puts a repository path at. */
function mountTarget(service: Any, hostPath: string): string | undefined {
  for (const volume of service.volumes as string[]) {
    const [host, container] = volume.split(':');
    if (host === `./${hostPath}`) return container;
  }
  return undefined;
}

describe('docker-compose.yml, monitoring profile', () => {
  it.each(Object.keys(COMPOSE_SCHEMAS) as ComposeSchema[])('still validates against the %s schema', (schema) => {
    expect(composeSchemaErrors(compose, schema)).toEqual([]);
  });

  it('adds prometheus and grafana to the monitoring profile only; the default stack is unchanged', () => {
    const profiled = Object.entries(compose.services as Record<string, { profiles?: string[] }>)
      .filter(([, service]) => service.profiles !== undefined)
      .map(([name, service]) => [name, service.profiles]);
    expect(profiled).toEqual([
      ['prometheus', ['monitoring']],
      ['grafana', ['monitoring']],
    ]);
    expect(Object.keys(compose.services)).toEqual(['app', 'redis', 'nginx', 'prometheus', 'grafana']);
  });

  it('runs pinned official images, each replaceable by a variable', () => {
    expect(prometheus.image).toMatch(/^\$\{PROMETHEUS_IMAGE:-prom\/prometheus:v3\.\d+\.\d+\}$/);
    expect(grafana.image).toMatch(/^\$\{GRAFANA_IMAGE:-grafana\/grafana:\d+\.\d+\.\d+\}$/);
  });

  it('publishes Prometheus and Grafana on loopback unless MONITORING_BIND says otherwise', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's interpolation, not JavaScript's
    expect(prometheus.ports).toEqual(['${MONITORING_BIND:-127.0.0.1}:${PROMETHEUS_PORT:-9090}:9090']);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's interpolation, not JavaScript's
    expect(grafana.ports).toEqual(['${MONITORING_BIND:-127.0.0.1}:${GRAFANA_PORT:-3000}:3000']);
  });

  it('mounts the chart rule file where prometheus.yml loads rules from, and the config itself, read-only', () => {
    expect(prometheus.volumes).toContain('./docker/monitoring/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    expect(prometheus.command).toContain('--config.file=/etc/prometheus/prometheus.yml');
    const rules = mountTarget(prometheus, 'charts/chat/alerts/chat.rules.yml');
    expect(rules).toBeDefined();
    expect(prometheusConfig.rule_files).toEqual([rules]);
    for (const volume of [...prometheus.volumes, ...grafana.volumes] as string[]) {
      expect(volume, volume).toMatch(/:ro$/);
      expect(existsSync(join(REPO, volume.split(':')[0] ?? '')), volume).toBe(true);
    }
  });

  it('gives Grafana anonymous read-only access, and the dashboard as its home page', () => {
    expect(grafana.environment).toMatchObject({
      GF_AUTH_ANONYMOUS_ENABLED: 'true',
      GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer',
      GF_USERS_ALLOW_SIGN_UP: 'false',
    });
    const dashboards = mountTarget(grafana, 'charts/chat/dashboards');
    expect(grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(`${dashboards}/chat.json`);
    expect(mountTarget(grafana, PROVISIONING)).toBe('/etc/grafana/provisioning');
    expect(grafana.depends_on).toEqual({ prometheus: { condition: 'service_healthy' } });
  });
});

describe('docker/monitoring/prometheus.yml', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chat-prometheus-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds every replica by DNS (compose answers "app" with all of them), not one static target', () => {
    const [job, ...others] = prometheusConfig.scrape_configs;
    expect(others).toEqual([]);
    expect(job.job_name).toBe('chat');
    expect(job).not.toHaveProperty('static_configs');
    expect(job.dns_sd_configs).toEqual([{ names: ['app'], type: 'A', port: 8080, refresh_interval: '10s' }]);
    expect(job.metrics_path).toBe('/metrics');
  });

  it('labels each target with pod (its address), as the dashboard and the alerts group by pod', () => {
    expect(prometheusConfig.scrape_configs[0].relabel_configs).toEqual([
      { source_labels: ['__address__'], target_label: 'pod' },
    ]);
  });

  it('passes the real promtool check config, rule file included', () => {
    const check = promtool(['check', 'config', writeConfig(localPrometheusConfig(), dir)]);
    expect(check.output).toContain('SUCCESS');
    expect(check.output).toContain(`${ALERT_RULES}`);
    expect(check.output).toMatch(/SUCCESS: 6 rules found/);
    expect(check.status).toBe(0);
  });

  it('and promtool refuses it broken (the check can fail)', () => {
    const broken = localPrometheusConfig();
    broken.scrape_configs[0].dns_sd_configs[0].type = 'AAAAA';
    const check = promtool(['check', 'config', writeConfig(broken, dir)]);
    expect(check.status).not.toBe(0);
    expect(check.output).toMatch(/FAILED/);
  });
});

describe('Grafana provisioning (docker/monitoring/grafana/provisioning)', () => {
  it('has one Prometheus datasource: the compose prometheus service, told its scrape interval', () => {
    expect(datasources.apiVersion).toBe(1);
    expect(datasources.datasources).toHaveLength(1);
    const [source] = datasources.datasources;
    expect(source).toMatchObject({ type: 'prometheus', access: 'proxy', isDefault: true, editable: false });
    const url = new URL(source.url);
    expect(url.hostname).toBe('prometheus');
    expect(compose.services).toHaveProperty(url.hostname);
    expect(prometheus.ports[0]).toMatch(new RegExp(`:${url.port}$`));
    // $__rate_interval is built from it: it must be the interval Prometheus really scrapes at.
    expect(source.jsonData.timeInterval).toBe(prometheusConfig.global.scrape_interval);
  });

  it('loads the chart dashboard from the folder compose mounts it in, read-only in the UI', () => {
    expect(dashboardProviders.apiVersion).toBe(1);
    expect(dashboardProviders.providers).toHaveLength(1);
    const [provider] = dashboardProviders.providers;
    expect(provider).toMatchObject({ type: 'file', disableDeletion: true, allowUiUpdates: false });
    expect(provider.options.path).toBe(mountTarget(grafana, 'charts/chat/dashboards'));
    expect(posix.isAbsolute(provider.options.path)).toBe(true);
  });
});
