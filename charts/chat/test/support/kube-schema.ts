/**
 * Offline validation of Kubernetes objects against the API's OpenAPI schemas, as compiled into the
 * npm package kubernetes-models (one ajv validator per type, generated from the Kubernetes OpenAPI
 * spec). The schemas allow unknown properties, so a misspelled key (`readOnlyRootFileSystem`)
 * would pass them; the API server would drop or reject it. So the object is also walked through a
 * Proxy that records which keys the validators read: each validator reads every property its
 * schema knows (and iterates the keys of free-form maps such as labels), so a key of a plain object
 * that no validator read is unknown to the schema.
 */

import { isMonitoringKind, monitoringProblems } from './monitoring-kinds.ts';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}
type Validator = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

/** kubernetes-models' module name for a type: apps/v1 Deployment -> IoK8sApiAppsV1Deployment. */
export function schemaModuleName(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['core', apiVersion];
  const capital = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
  return `IoK8sApi${capital((group ?? '').split('.')[0] ?? '')}${capital(version ?? '')}${kind}`;
}

async function validatorFor(apiVersion: string, kind: string): Promise<Validator> {
  const name = schemaModuleName(apiVersion, kind);
  try {
    const module = (await import(`kubernetes-models/_schemas/${name}`)) as { validate: Validator };
    return module.validate;
  } catch (error) {
    throw new Error(`no Kubernetes schema for ${apiVersion} ${kind} (${name}): ${(error as Error).message}`);
  }
}

interface Reads {
  path: string;
  read: Set<string>;
  /** The validator listed the keys: a map with free-form keys (labels, resources.limits...). */
  iterated: boolean;
}

/** Wraps `root` so that every key a validator reads, at any depth, is recorded in `records`. */
function tracked(root: object, records: Map<object, Reads>): object {
  const proxies = new WeakMap<object, object>();
  const wrap = (value: unknown, path: string): unknown => {
    if (value === null || typeof value !== 'object') return value;
    const existing = proxies.get(value);
    if (existing) return existing;
    const reads: Reads = { path, read: new Set(), iterated: false };
    records.set(value, reads);
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        const child = Reflect.get(target, key, receiver);
        if (typeof key !== 'string') return child;
        reads.read.add(key);
        if (!Object.hasOwn(target, key)) return child;
        return wrap(child, Array.isArray(target) ? `${path}[${key}]` : `${path}.${key}`);
      },
      has(target, key) {
        if (typeof key === 'string') reads.read.add(key);
        return Reflect.has(target, key);
      },
      ownKeys(target) {
        reads.iterated = true;
        return Reflect.ownKeys(target);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };
  return wrap(root, '') as object;
}

/**
 * Problems of one object: schema violations (wrong types, missing required fields, bad enums) and
 * keys the schema does not know. Empty when the API server would accept it as written.
 */
export async function kubeProblems(object: KubeObject): Promise<string[]> {
  // The Prometheus Operator's kinds (ServiceMonitor, PrometheusRule) are not in kubernetes-models.
  if (isMonitoringKind(object)) return monitoringProblems(object, kubeProblems);
  const validate = await validatorFor(object.apiVersion, object.kind);
  const records = new Map<object, Reads>();
  const valid = validate(tracked(object, records));
  const where = `${object.kind}/${object.metadata?.name}`;
  const problems = valid
    ? []
    : (validate.errors ?? []).map(
        (error) =>
          `${where}: ${error.instancePath || '/'} ${error.message ?? error.keyword} ${JSON.stringify(error.params)}`,
      );
  for (const [target, reads] of records) {
    if (Array.isArray(target) || reads.iterated) continue;
    for (const key of Object.keys(target)) {
      if (!reads.read.has(key)) problems.push(`${where}: ${reads.path || '/'}.${key} is not a known field`);
    }
  }
  return problems;
}
