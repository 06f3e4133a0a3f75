/**
 * The chart's monitoring objects, rendered by the real helm: none by default; with the values on, a
 * ServiceMonitor on the chat Service's http port, a PrometheusRule whose spec is the chart's rule
 * file and a ConfigMap whose dashboard is the chart's dashboard file. Both are compared, parsed,
 * with the very files compose mounts, so there is no second copy to drift.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ALERT_RULES, promtool } from '../../../docker/test/support/prometheus.ts';
import { loadDashboard } from '../../../scripts/lib/dashboard.ts';
import { chartDir } from '../../../scripts/render-k8s.ts';
import { Rendered, selects, templateError } from './support/chart.ts';
import { kubeProblems } from './support/kube-schema.ts';
import { valueSets } from './value-sets.ts';

// biome-ignore lint/suspicious/noExplicitAny: rendered objects are checked field by field.
type Any = any;

const ON = valueSets['monitoring on (ServiceMonitor, PrometheusRule, dashboard ConfigMap)'] ?? {};
const rules = parse(readFileSync(ALERT_RULES, 'utf8'));
const dashboard = loadDashboard();

describe('with the default values', () => {
  it('renders no ServiceMonitor, PrometheusRule or dashboard ConfigMap, and keeps the pod scrape annotations', () => {
    const r = new Rendered();
    expect(r.has('ServiceMonitor')).toBe(false);
    expect(r.has('PrometheusRule')).toBe(false);
    expect(r.has('ConfigMap', 'chat-dashboard')).toBe(false);
    expect(r.one('Deployment').spec.template.metadata.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '8080',
      'prometheus.io/path': '/metrics',
    });
  });
});

describe('with monitoring on', () => {
  let r: Rendered;
  let serviceMonitor: Any;
  let rule: Any;
  let configMap: Any;
  beforeAll(() => {
    r = new Rendered(ON, 'chat', ['--namespace', 'chat']);
    serviceMonitor = r.one('ServiceMonitor', 'chat');
    rule = r.one('PrometheusRule', 'chat');
    configMap = r.one('ConfigMap', 'chat-dashboard');
  });

  it('renders objects the Kubernetes API (and the operator) accepts as written', async () => {
    expect(serviceMonitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
    const problems = (await Promise.all([serviceMonitor, rule, configMap].map(kubeProblems))).flat();
    expect(problems).toEqual([]);
  });

  it('the check of the operator kinds catches misspelled fields, bad durations and bad metadata', async () => {
    const broken = structuredClone(serviceMonitor);
    broken.spec.endpoints[0].intervall = '15s';
    broken.spec.endpoints[0].scrapeTimeout = '10 seconds';
    broken.metadata.labelz = {};
    const problems = (await kubeProblems(broken)).join('\n');
    expect(problems).toMatch(
      /ServiceMonitor\/chat: \/spec\/endpoints\/0 must NOT have additional properties.*intervall/,
    );
    expect(problems).toMatch(/endpoints\/0\/scrapeTimeout must match pattern/);
    expect(problems).toMatch(/ServiceMonitor\/chat: \.metadata\.labelz is not a known field/);
    const badRule = structuredClone(rule);
    delete badRule.spec.groups[0].rules[0].expr;
    expect((await kubeProblems(badRule)).join('\n')).toMatch(/rules\/0 must have required property 'expr'/);
  });

  it('the ServiceMonitor scrapes /metrics on the http port of the chat Service, and of no other Service', () => {
    const { selector, endpoints, namespaceSelector } = serviceMonitor.spec;
    const services = r.all('Service');
    expect(
      services.filter((s) => selects(selector.matchLabels, s.metadata.labels)).map((s) => s.metadata.name),
    ).toEqual(['chat']);
    expect(namespaceSelector).toEqual({ matchNames: ['chat'] });
    expect(endpoints).toHaveLength(1);
    const [endpoint] = endpoints;
    const service: Any = r.one('Service', 'chat');
    expect(service.spec.ports.map((port: Any) => port.name)).toContain(endpoint.port);
    expect(endpoint.path).toBe('/metrics');
    // The path the pod annotations would give, when they are on.
    const annotated = new Rendered().one('Deployment').spec.template.metadata.annotations;
    expect(endpoint.path).toBe(annotated['prometheus.io/path']);
  });

  it('the ServiceMonitor carries the labels, intervals and relabelings of the values', () => {
    const values = (ON.monitoring as Any).serviceMonitor;
    expect(serviceMonitor.metadata.labels).toMatchObject(values.labels);
    const [endpoint] = serviceMonitor.spec.endpoints;
    expect(endpoint).toMatchObject({ interval: '30s', scrapeTimeout: '10s' });
    expect(endpoint.relabelings).toEqual(values.relabelings);
    expect(endpoint.metricRelabelings).toEqual(values.metricRelabelings);
    // The defaults: every 15 s, the Prometheus' own timeout, nothing relabelled.
    const [plain] = new Rendered({ monitoring: { serviceMonitor: { enabled: true } } }).one('ServiceMonitor').spec
      .endpoints;
    expect(plain).toEqual({ port: 'http', path: '/metrics', scheme: 'http', interval: '15s' });
  });

  it('the PrometheusRule holds alerts/chat.rules.yml as it is: the rule file compose loads', () => {
    expect(rule.spec).toEqual(rules);
    expect(rule.spec.groups[0].rules.length).toBe(6);
    expect(rule.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
    // Prometheus' own templates pass through helm untouched.
    expect(JSON.stringify(rule.spec)).toContain('{{ $labels.pod }}');
  });

  it("the PrometheusRule's rules pass the real promtool check rules", () => {
    const dir = mkdtempSync(join(tmpdir(), 'chat-rule-'));
    try {
      const file = join(dir, 'rendered.rules.yml');
      writeFileSync(file, stringify(rule.spec));
      const check = promtool(['check', 'rules', file]);
      expect(check.output).toContain('SUCCESS: 6 rules found');
      expect(check.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the dashboard ConfigMap holds dashboards/chat.json, labelled for the Grafana sidecar, where asked', () => {
    expect(Object.keys(configMap.data)).toEqual(['chat.json']);
    expect(JSON.parse(configMap.data['chat.json'])).toEqual(dashboard);
    expect(configMap.metadata.labels.grafana_dashboard).toBe('1');
    expect(configMap.metadata.annotations).toEqual({ grafana_folder: 'Chat' });
    expect(configMap.metadata.namespace).toBe('monitoring');
    // Without a namespace value it goes where the release goes (helm sets none in the object).
    const plain = new Rendered({ monitoring: { dashboard: { enabled: true } } }).one('ConfigMap', 'chat-dashboard');
    expect(plain.metadata.namespace).toBeUndefined();
    expect(plain.metadata).not.toHaveProperty('annotations');
  });

  it('the sidecar\'s label name and value are values; --set labelValue=1 still gives the string "1"', () => {
    const custom = new Rendered({
      monitoring: { dashboard: { enabled: true, labelName: 'dashboards', labelValue: 'chat' } },
    });
    const labels = custom.one('ConfigMap', 'chat-dashboard').metadata.labels;
    expect(labels.dashboards).toBe('chat');
    expect(labels).not.toHaveProperty('grafana_dashboard');
    const number = new Rendered({}, 'chat', [
      '--set',
      'monitoring.dashboard.enabled=true',
      '--set',
      'monitoring.dashboard.labelValue=1',
    ]);
    expect(number.one('ConfigMap', 'chat-dashboard').metadata.labels.grafana_dashboard).toBe('1');
  });

  it('objects follow the release name', () => {
    const other = new Rendered(ON, 'team-a');
    expect(other.one('ServiceMonitor').metadata.name).toBe('team-a-chat');
    expect(other.one('PrometheusRule').metadata.name).toBe('team-a-chat');
    expect(other.has('ConfigMap', 'team-a-chat-dashboard')).toBe(true);
    const selector = other.one('ServiceMonitor').spec.selector.matchLabels;
    expect(selects(selector, other.one('Service', 'team-a-chat').metadata.labels)).toBe(true);
  });
});

describe('one source for the rules and the dashboard', () => {
  const templates = readdirSync(join(chartDir, 'templates')).filter((name) => name.endsWith('.yaml'));
  const read = (name: string) => readFileSync(join(chartDir, 'templates', name), 'utf8');

  it('the templates read the two files with .Files.Get and copy nothing from them', () => {
    expect(read('prometheusrule.yaml')).toContain('.Files.Get "alerts/chat.rules.yml"');
    expect(read('dashboard-configmap.yaml')).toContain('.Files.Get "dashboards/chat.json"');
    for (const name of templates) {
      const text = read(name);
      expect(text, name).not.toMatch(/ChatBrokerDown|chat_delivery_latency_seconds|chat-overview/);
    }
  });

  it('the chart holds exactly one rule file and one dashboard', () => {
    expect(readdirSync(join(chartDir, 'alerts'))).toEqual(['chat.rules.yml']);
    expect(readdirSync(join(chartDir, 'dashboards'))).toEqual(['chat.json']);
  });
});

describe('values the chart refuses', () => {
  it.each([
    ['an interval that is not a duration', { serviceMonitor: { interval: '15 seconds' } }, /interval/],
    ['a label name with a space', { dashboard: { labelName: 'grafana dashboard' } }, /labelName/],
    ['an unknown key', { serviceMonitor: { enable: true } }, /additional propert.*enable/is],
    ['labels that are not strings', { prometheusRule: { labels: { release: 1 } } }, /labels/],
  ])('%s', (_name, monitoring, message) => {
    expect(templateError({ monitoring })).toMatch(message);
  });
});
