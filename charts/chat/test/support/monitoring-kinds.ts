/**
 * Validation of the two Prometheus Operator kinds the chart renders, ServiceMonitor and
 * PrometheusRule (monitoring.coreos.com/v1). They are custom resources: kubernetes-models has no
 * schema for them, and the repository keeps no copy of the operator's CRDs. So this checks, with
 * ajv, every field the chart can write against its name and type in the v1 API (unknown fields
 * rejected, durations in the operator's format), and the metadata and label selector against the
 * real Kubernetes schemas by wrapping them in core objects. The rule groups are also run through
 * the real `promtool check rules` by the chart's monitoring test.
 */
import { Ajv } from 'ajv';
import type { KubeObject } from './kube-schema.ts';

export const MONITORING_API = 'monitoring.coreos.com/v1';

/** The operator's duration format (its CRDs' pattern for interval, scrapeTimeout, for...). */
const duration = {
  type: 'string',
  pattern: '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$',
};
const stringMap = { type: 'object', additionalProperties: { type: 'string' } };

const relabelConfig = {
  type: 'object',
  additionalProperties: false,
  properties: {
    sourceLabels: { type: 'array', items: { type: 'string' } },
    separator: { type: 'string' },
    targetLabel: { type: 'string' },
    regex: { type: 'string' },
    modulo: { type: 'integer' },
    replacement: { type: 'string' },
    action: {
      type: 'string',
      enum: [
        ...['replace', 'keep', 'drop', 'hashmod', 'labelmap', 'labeldrop', 'labelkeep', 'lowercase', 'uppercase'],
        ...['keepequal', 'dropequal'],
      ].flatMap((action) => [action, action.charAt(0).toUpperCase() + action.slice(1)]),
    },
  },
};

const serviceMonitorSpec = {
  type: 'object',
  additionalProperties: false,
  required: ['selector', 'endpoints'],
  properties: {
    selector: { type: 'object' }, // checked against LabelSelector below
    namespaceSelector: {
      type: 'object',
      additionalProperties: false,
      properties: { any: { type: 'boolean' }, matchNames: { type: 'array', items: { type: 'string' } } },
    },
    jobLabel: { type: 'string' },
    targetLabels: { type: 'array', items: { type: 'string' } },
    podTargetLabels: { type: 'array', items: { type: 'string' } },
    sampleLimit: { type: 'integer', minimum: 0 },
    endpoints: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          port: { type: 'string' },
          targetPort: { type: ['string', 'integer'] },
          path: { type: 'string', pattern: '^/' },
          scheme: { type: 'string', enum: ['http', 'https', 'HTTP', 'HTTPS'] },
          params: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
          interval: duration,
          scrapeTimeout: duration,
          honorLabels: { type: 'boolean' },
          honorTimestamps: { type: 'boolean' },
          relabelings: { type: 'array', items: relabelConfig },
          metricRelabelings: { type: 'array', items: relabelConfig },
        },
      },
    },
  },
};

const prometheusRuleSpec = {
  type: 'object',
  additionalProperties: false,
  properties: {
    groups: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: { type: 'string', minLength: 1 },
          interval: duration,
          query_offset: duration,
          limit: { type: 'integer' },
          labels: stringMap,
          partial_response_strategy: { type: 'string' },
          rules: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['expr'],
              properties: {
                alert: { type: 'string' },
                record: { type: 'string' },
                expr: { type: ['string', 'integer'] },
                for: duration,
                keep_firing_for: duration,
                labels: stringMap,
                annotations: stringMap,
              },
            },
          },
        },
      },
    },
  },
};

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const specValidators: Record<string, ReturnType<typeof ajv.compile>> = {
  ServiceMonitor: ajv.compile(serviceMonitorSpec),
  PrometheusRule: ajv.compile(prometheusRuleSpec),
};

/** Whether this object is one of the operator's kinds this module knows. */
export function isMonitoringKind(object: KubeObject): boolean {
  return object.apiVersion === MONITORING_API && object.kind in specValidators;
}

/**
 * Problems of a ServiceMonitor or PrometheusRule, in kubeProblems' format. `coreProblems` is
 * kubeProblems itself (passed in rather than imported, to keep the two modules acyclic).
 */
export async function monitoringProblems(
  object: KubeObject,
  coreProblems: (object: KubeObject) => Promise<string[]>,
): Promise<string[]> {
  const where = `${object.kind}/${object.metadata?.name}`;
  const validate = specValidators[object.kind];
  if (validate === undefined) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  const problems: string[] = [];
  const { apiVersion, kind, metadata, spec, ...rest } = object;
  for (const key of Object.keys(rest)) problems.push(`${where}: /.${key} is not a known field`);
  if (!validate(spec)) {
    for (const error of validate.errors ?? []) {
      problems.push(`${where}: /spec${error.instancePath} ${error.message} ${JSON.stringify(error.params)}`);
    }
  }
  // ObjectMeta and LabelSelector are the core types: check them as parts of core objects.
  const wrapped: KubeObject[] = [{ apiVersion: 'v1', kind: 'ConfigMap', metadata }];
  const selector = (spec as { selector?: unknown } | undefined)?.selector;
  if (kind === 'ServiceMonitor') {
    wrapped.push({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata, spec: { selector } });
  }
  for (const core of wrapped) {
    for (const problem of await coreProblems(core)) problems.push(problem.replace(/^\w+\//, `${kind}/`));
  }
  return [...new Set(problems)];
}
