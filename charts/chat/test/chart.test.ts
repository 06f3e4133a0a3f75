/**
 * charts/chat rendered by the real helm binary (scripts/helm.sh): lint, the default objects and
 * what matters in them, the value sets of the README, and the values the chart must refuse.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readSharedSchema } from '../../../scripts/lib/shared-schemas.ts';
import { chartDir, repoRoot, runToolOk } from '../../../scripts/render-k8s.ts';
import { helmWithValues, Rendered, selects, templateError } from './support/chart.ts';
import { valueSets } from './value-sets.ts';

// biome-ignore lint/suspicious/noExplicitAny: rendered objects are checked field by field.
type Any = any;

const chart = parse(readFileSync(`${chartDir}/Chart.yaml`, 'utf8'));
const serviceVersion: string = JSON.parse(readFileSync(`${repoRoot}/services/chat/package.json`, 'utf8')).version;

const decode = (value: string) => Buffer.from(value, 'base64').toString('utf8');

describe('Chart.yaml', () => {
  it('is a Helm 3/4 chart (apiVersion v2) whose appVersion is the service version', () => {
    expect(chart.apiVersion).toBe('v2');
    expect(chart.name).toBe('chat');
    expect(chart.type).toBe('application');
    expect(chart.appVersion).toBe(serviceVersion);
    expect(chart.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('validates against the Chart.yaml JSON schema', () => {
    const schema = readSharedSchema('helm-chart.json');
    delete schema.$schema;
    delete schema.$id;
    // Formats (uri, email) are left unchecked: the chart names no URLs or e-mail addresses.
    const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
    expect(validate(chart), JSON.stringify(validate.errors)).toBe(true);
  });
});

describe('helm lint --strict', () => {
  it('passes with the default values', () => {
    const output = runToolOk('helm', ['lint', '--strict', chartDir]);
    expect(output).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it.each(Object.keys(valueSets).filter((name) => name !== 'defaults'))('passes with the value set "%s"', (name) => {
    const run = helmWithValues(['lint', '--strict'], valueSets[name]);
    expect(run.stdout + run.stderr).toContain('0 chart(s) failed');
    expect(run.status).toBe(0);
  });
});

describe('default values', () => {
  let r: Rendered;
  let deployment: Any;
  let pod: Any;
  let container: Any;
  let service: Any;
  beforeAll(() => {
    r = new Rendered();
    deployment = r.one('Deployment', 'chat');
    pod = deployment.spec.template;
    container = r.chatContainer();
    service = r.one('Service', 'chat');
  });

  it('renders exactly the expected objects', () => {
    const names = r.objects.map((object) => `${object.kind}/${object.metadata.name}`).sort();
    expect(names).toEqual(
      [
        'ConfigMap/chat',
        'Deployment/chat',
        'Pod/chat-test-readyz',
        'Pod/chat-test-websocket',
        'PodDisruptionBudget/chat',
        'Secret/chat-redis',
        'Service/chat',
        'Service/chat-redis',
        'ServiceAccount/chat',
        'StatefulSet/chat-redis',
      ].sort(),
    );
  });

  it('labels every object with the standard app.kubernetes.io labels', () => {
    for (const object of r.objects) {
      const labels = object.metadata.labels ?? {};
      expect(labels['app.kubernetes.io/name'], object.metadata.name).toBe('chat');
      expect(labels['app.kubernetes.io/instance']).toBe('chat');
      expect(labels['app.kubernetes.io/version']).toBe(serviceVersion);
      expect(labels['app.kubernetes.io/managed-by']).toBe('Helm');
      expect(labels['helm.sh/chart']).toBe(`chat-${chart.version}`);
      expect(labels['app.kubernetes.io/component']).toMatch(/^(server|redis|test)$/);
    }
  });

  it('runs 3 replicas of the chat image tagged with the appVersion', () => {
    expect(deployment.spec.replicas).toBe(3);
    expect(container.image).toBe(`chat:${serviceVersion}`);
    expect(container.imagePullPolicy).toBe('IfNotPresent');
  });

  it('selects its own pods, and only them, from the Deployment, Service and PodDisruptionBudget', () => {
    const selector = deployment.spec.selector.matchLabels;
    expect(selects(selector, pod.metadata.labels)).toBe(true);
    expect(selects(service.spec.selector, pod.metadata.labels)).toBe(true);
    expect(r.one('PodDisruptionBudget').spec.selector.matchLabels).toEqual(selector);
    const redisPod = r.one('StatefulSet').spec.template;
    for (const other of [redisPod, ...r.all('Pod')]) {
      expect(selects(selector, other.metadata.labels), other.metadata.name).toBe(false);
      expect(selects(service.spec.selector, other.metadata.labels), other.metadata.name).toBe(false);
    }
  });

  it('exposes the container port through a ClusterIP Service port named http with appProtocol http', () => {
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.ports).toHaveLength(1);
    const [port] = service.spec.ports;
    expect(port).toMatchObject({ name: 'http', port: 80, protocol: 'TCP', appProtocol: 'http' });
    // targetPort names the container port, which is the one the chat listens on (PORT).
    const target = container.ports.find((p: Any) => p.name === port.targetPort || p.containerPort === port.targetPort);
    expect(target?.containerPort).toBe(8080);
    expect(r.one('ConfigMap').data.PORT).toBe(String(target?.containerPort));
  });

  it('probes liveness on /healthz, readiness on /readyz and startup, on the http port', () => {
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    // The startup probe gives the process time to start; liveness must not kill a slow start.
    expect(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold).toBeGreaterThanOrEqual(30);
  });

  it('runs non-root with a read-only root filesystem, no privilege escalation, no capabilities, RuntimeDefault seccomp', () => {
    const podsAndContainers: [Any, Any][] = [
      [pod.spec, container],
      [r.one('StatefulSet').spec.template.spec, r.one('StatefulSet').spec.template.spec.containers[0]],
      ...r.all('Pod').map((test: Any): [Any, Any] => [test.spec, test.spec.containers[0]]),
    ];
    for (const [podSpec, c] of podsAndContainers) {
      expect(podSpec.securityContext.runAsNonRoot, c.name).toBe(true);
      expect(podSpec.securityContext.runAsUser).toBeGreaterThan(0);
      expect(podSpec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
      expect(podSpec.automountServiceAccountToken).toBe(false);
      expect(c.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        privileged: false,
        capabilities: { drop: ['ALL'] },
      });
      expect(c.resources.requests.memory, c.name).toBeDefined();
      expect(c.resources.limits.memory, c.name).toBeDefined();
    }
    // The image's user node (uid/gid 1000).
    expect(pod.spec.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 1000 });
    expect(r.one('ServiceAccount').automountServiceAccountToken).toBe(false);
    expect(pod.spec.serviceAccountName).toBe('chat');
  });

  it('takes REDIS_URL from a Secret that points at the bundled Redis with its password', () => {
    const redisUrl = container.env.find((e: Any) => e.name === 'REDIS_URL');
    expect(redisUrl.value).toBeUndefined();
    expect(redisUrl.valueFrom.secretKeyRef).toEqual({ name: 'chat-redis', key: 'redis-url' });
    // No injected REDIS_PORT from a Service named redis (the chat would refuse both settings).
    expect(pod.spec.enableServiceLinks).toBe(false);
    const secret = r.one('Secret', 'chat-redis');
    const password = decode(secret.data['redis-password']);
    expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(decode(secret.data['redis-url'])).toBe(`redis://:${password}@chat-redis:6379`);
    // Nothing else in the Deployment or the ConfigMap names Redis or holds the password.
    const plain = JSON.stringify([deployment, r.one('ConfigMap'), r.one('StatefulSet')]);
    expect(plain).not.toContain(password);
    expect(plain).not.toMatch(/rediss?:\/\//);
  });

  it('names each replica after its pod and configures the service from a ConfigMap', () => {
    expect(container.env.find((e: Any) => e.name === 'REPLICA_ID').valueFrom).toEqual({
      fieldRef: { fieldPath: 'metadata.name' },
    });
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'chat' } }]);
    expect(r.one('ConfigMap').data).toEqual({
      PORT: '8080',
      CHAT_CHANNEL: 'chat',
      HISTORY_SIZE: '1000',
      HISTORY_TTL: '86400',
      MAX_ROOMS_PER_CONNECTION: '10',
      PRESENCE_TTL_MS: '15000',
      MAX_MESSAGE_BYTES: '16384',
      RATE_LIMIT: '20',
      ALLOWED_ORIGINS: '',
      PING_INTERVAL_MS: '25000',
      WRITE_INTERVAL_MS: '0',
      MAX_BUFFERED_BYTES: '1048576',
      LOG_LEVEL: 'info',
      SHUTDOWN_DELAY_MS: '5000',
      SHUTDOWN_TIMEOUT_MS: '15000',
    });
  });

  it('can set every variable the service reads (services/chat/src/config.ts)', () => {
    const source = readFileSync(`${repoRoot}/services/chat/src/config.ts`, 'utf8');
    const read = new Set([...source.matchAll(/(?:read|int)\('([A-Z_]+)'/g)].map((match) => match[1]));
    expect(read.size).toBeGreaterThan(15);
    const set = new Set([...Object.keys(r.one('ConfigMap').data), ...container.env.map((e: Any) => e.name)]);
    // HOST stays unset (all interfaces); REDIS_HOST/REDIS_PORT are the article's alternative to REDIS_URL.
    const unset = [...read].filter((name) => !set.has(name));
    expect(unset.sort()).toEqual(['HOST', 'REDIS_HOST', 'REDIS_PORT']);
  });

  it('drains before closing sockets and finishes its shutdown within the grace period', () => {
    const config = r.one('ConfigMap').data;
    const delay = Number(config.SHUTDOWN_DELAY_MS);
    const timeout = Number(config.SHUTDOWN_TIMEOUT_MS);
    expect(delay).toBeGreaterThanOrEqual(3000);
    expect(delay).toBeLessThan(timeout);
    expect(pod.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(delay + timeout);
  });

  it('annotates the pods with the config checksum and Prometheus scrape settings', () => {
    const annotations = pod.metadata.annotations;
    expect(annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
    expect(annotations['prometheus.io/scrape']).toBe('true');
    expect(annotations['prometheus.io/port']).toBe('8080');
    expect(annotations['prometheus.io/path']).toBe('/metrics');
  });

  it('rolls the pods when the configuration changes', () => {
    const changed = new Rendered({ config: { rateLimit: 5 } }).one('Deployment').spec.template.metadata.annotations;
    expect(changed['checksum/config']).not.toBe(pod.metadata.annotations['checksum/config']);
    expect(changed['checksum/redis']).toBe(pod.metadata.annotations['checksum/redis']);
  });

  it('spreads the chat pods across nodes', () => {
    const [spread] = pod.spec.topologySpreadConstraints;
    expect(spread).toMatchObject({ maxSkew: 1, topologyKey: 'kubernetes.io/hostname' });
    expect(selects(spread.labelSelector.matchLabels, pod.metadata.labels)).toBe(true);
    expect(spread.matchLabelKeys).toEqual(['pod-template-hash']);
  });

  it('keeps at most one chat pod down during voluntary disruptions', () => {
    expect(r.one('PodDisruptionBudget').spec).toMatchObject({ maxUnavailable: 1 });
    expect(r.one('PodDisruptionBudget').spec.minAvailable).toBeUndefined();
  });

  it('runs one Redis with a headless Service, probes, resources and the password from the Secret', () => {
    const sts = r.one('StatefulSet', 'chat-redis');
    const headless = r.one('Service', 'chat-redis');
    expect(sts.spec.replicas).toBe(1);
    expect(sts.spec.serviceName).toBe(headless.metadata.name);
    expect(headless.spec.clusterIP).toBe('None');
    expect(selects(headless.spec.selector, sts.spec.template.metadata.labels)).toBe(true);
    expect(selects(sts.spec.selector.matchLabels, sts.spec.template.metadata.labels)).toBe(true);
    const redis = sts.spec.template.spec.containers[0];
    expect(redis.image).toBe('redis:7-alpine');
    expect(redis.ports[0]).toMatchObject({ name: 'redis', containerPort: 6379 });
    expect(headless.spec.ports[0]).toMatchObject({ port: 6379, targetPort: 'redis' });
    expect(redis.command).toEqual(['redis-server']);
    expect(redis.args.slice(0, 4)).toEqual(['--port', '6379', '--requirepass', '$(REDIS_PASSWORD)']);
    for (const name of ['REDIS_PASSWORD', 'REDISCLI_AUTH']) {
      expect(redis.env.find((e: Any) => e.name === name).valueFrom.secretKeyRef).toEqual({
        name: 'chat-redis',
        key: 'redis-password',
      });
    }
    expect(redis.readinessProbe.exec.command.join(' ')).toContain('redis-cli');
    expect(redis.livenessProbe.exec.command.join(' ')).toContain('redis-cli');
    // Read-only root: /data is the one writable place, an emptyDir without persistence.
    expect(redis.volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }]);
    expect(sts.spec.template.spec.volumes).toEqual([{ name: 'data', emptyDir: {} }]);
    expect(sts.spec.volumeClaimTemplates).toBeUndefined();
  });

  it('has helm test pods checking /readyz and a WebSocket round trip through the Service', () => {
    const tests = r.all('Pod');
    const serviceUrl = `chat:${service.spec.ports[0].port}`;
    const commands = Object.fromEntries(
      tests.map((test: Any) => [test.metadata.name, test.spec.containers[0].command.join(' ')]),
    );
    expect(commands).toEqual({
      'chat-test-readyz': `node dist/tools/healthcheck.js http://${serviceUrl}/readyz`,
      'chat-test-websocket': `node dist/tools/roundtrip.js ws://${serviceUrl}/ws`,
    });
    for (const test of tests as Any[]) {
      expect(test.metadata.annotations['helm.sh/hook']).toBe('test');
      expect(test.metadata.annotations['helm.sh/hook-delete-policy']).toContain('before-hook-creation');
      expect(test.spec.restartPolicy).toBe('Never');
      expect(test.spec.containers[0].image).toBe(container.image);
    }
  });

  it('leaves the optional objects out', () => {
    for (const kind of ['Ingress', 'HorizontalPodAutoscaler', 'NetworkPolicy']) expect(r.has(kind), kind).toBe(false);
  });
});

describe('value sets', () => {
  it('external Redis URL: no bundled Redis, the URL in a Secret of the chart', () => {
    const r = new Rendered(valueSets['external Redis URL']);
    expect(r.has('StatefulSet')).toBe(false);
    expect(r.has('Service', 'chat-redis')).toBe(false);
    const ref = r.chatContainer().env.find((e: Any) => e.name === 'REDIS_URL').valueFrom.secretKeyRef;
    expect(ref).toEqual({ name: 'chat-external-redis', key: 'redis-url' });
    expect(decode(r.one('Secret', ref.name).data[ref.key])).toBe('rediss://:s3cret@redis.example.com:6380/0');
    expect(JSON.stringify(r.one('Deployment'))).not.toContain('s3cret');
  });

  it('external Redis from an existing Secret: the Deployment reads it, the chart creates no Secret', () => {
    const r = new Rendered(valueSets['external Redis from an existing Secret']);
    expect(r.has('Secret')).toBe(false);
    expect(r.has('StatefulSet')).toBe(false);
    expect(r.chatContainer().env.find((e: Any) => e.name === 'REDIS_URL').valueFrom.secretKeyRef).toEqual({
      name: 'managed-redis',
      key: 'url',
    });
  });

  it('bundled Redis with an existing Secret: password and URL from it, data on a volume claim, NetworkPolicy', () => {
    const r = new Rendered(valueSets['bundled Redis with an existing Secret and persistence']);
    expect(r.has('Secret')).toBe(false);
    expect(r.chatContainer().env.find((e: Any) => e.name === 'REDIS_URL').valueFrom.secretKeyRef).toEqual({
      name: 'my-redis-auth',
      key: 'url',
    });
    const sts = r.one('StatefulSet');
    const redis = sts.spec.template.spec.containers[0];
    expect(redis.env.find((e: Any) => e.name === 'REDIS_PASSWORD').valueFrom.secretKeyRef).toEqual({
      name: 'my-redis-auth',
      key: 'pw',
    });
    expect(redis.args).toContain('--appendonly');
    expect(redis.args[redis.args.indexOf('--appendonly') + 1]).toBe('yes');
    expect(sts.spec.template.spec.volumes).toBeUndefined();
    expect(sts.spec.volumeClaimTemplates[0]).toMatchObject({
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast', resources: { requests: { storage: '2Gi' } } },
    });
    // Only the chat pods may reach Redis, on its port.
    const policy = r.one('NetworkPolicy');
    expect(selects(policy.spec.podSelector.matchLabels, sts.spec.template.metadata.labels)).toBe(true);
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    expect(policy.spec.ingress).toHaveLength(1);
    const [rule] = policy.spec.ingress;
    expect(rule.from).toHaveLength(1);
    expect(selects(rule.from[0].podSelector.matchLabels, r.one('Deployment').spec.template.metadata.labels)).toBe(true);
    expect(rule.ports).toEqual([{ protocol: 'TCP', port: 'redis' }]);
  });

  it('ingress with TLS: nginx class, WebSocket timeouts, hosts, TLS, backend on the Service port', () => {
    const r = new Rendered(valueSets['ingress with TLS']);
    const ingress = r.one('Ingress', 'chat');
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
      'nginx.ingress.kubernetes.io/proxy-send-timeout': '3600',
      'cert-manager.io/cluster-issuer': 'letsencrypt',
    });
    // No sticky sessions: any replica serves any client.
    expect(JSON.stringify(ingress.metadata.annotations)).not.toMatch(/affinity|upstream-hash/);
    expect(ingress.spec.tls).toEqual([{ hosts: ['chat.example.com'], secretName: 'chat-tls' }]);
    expect(ingress.spec.rules).toHaveLength(1);
    const [rule] = ingress.spec.rules;
    expect(rule.host).toBe('chat.example.com');
    expect(rule.http.paths).toEqual([
      { path: '/', pathType: 'Prefix', backend: { service: { name: 'chat', port: { name: 'http' } } } },
    ]);
    expect(r.one('Service', 'chat').spec.ports.map((p: Any) => p.name)).toContain('http');
  });

  it('an ingress host given without paths (as with --set ingress.hosts[0].host=...) routes the whole host', () => {
    const run = helmWithValues([
      'template',
      'chat',
      '--set',
      'ingress.enabled=true',
      '--set',
      'ingress.hosts[0].host=a.example',
    ]);
    expect(run.status, run.stderr).toBe(0);
    const ingress = parse(run.stdout.split('\n---\n').find((doc) => doc.includes('kind: Ingress')) ?? '');
    expect(ingress.spec.rules).toEqual([
      {
        host: 'a.example',
        http: {
          paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'chat', port: { name: 'http' } } } }],
        },
      },
    ]);
  });

  it('ingress timeouts follow websocketTimeoutSeconds, and annotations win over them', () => {
    const off = new Rendered({ ingress: { enabled: true, websocketTimeoutSeconds: 0, className: 'haproxy' } });
    expect(off.one('Ingress').metadata.annotations).toBeUndefined();
    expect(off.one('Ingress').spec.ingressClassName).toBe('haproxy');
    const custom = new Rendered({
      ingress: {
        enabled: true,
        websocketTimeoutSeconds: 7200,
        annotations: { 'nginx.ingress.kubernetes.io/proxy-send-timeout': '60' },
      },
    });
    expect(custom.one('Ingress').metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '7200',
      'nginx.ingress.kubernetes.io/proxy-send-timeout': '60',
    });
  });

  it('autoscaling on: an autoscaling/v2 HPA on the Deployment, which then has no replicas field', () => {
    const r = new Rendered(valueSets['autoscaling on']);
    const hpa = r.one('HorizontalPodAutoscaler', 'chat');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'chat' });
    expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 8 });
    expect(hpa.spec.metrics.map((m: Any) => [m.resource.name, m.resource.target.averageUtilization])).toEqual([
      ['cpu', 70],
      ['memory', 80],
    ]);
    expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(300);
    expect(r.one('Deployment').spec.replicas).toBeUndefined();
  });

  it('monitoring off: no Prometheus scrape annotations', () => {
    const annotations = new Rendered(valueSets['monitoring off']).one('Deployment').spec.template.metadata.annotations;
    expect(Object.keys(annotations).filter((key) => key.startsWith('prometheus.io/'))).toEqual([]);
    expect(annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('everything else: names, image, env, scheduling, Service and test image follow the values', () => {
    const r = new Rendered(valueSets['everything else on or changed']);
    const deployment = r.one('Deployment', 'talk');
    const pod = deployment.spec.template;
    const container = r.chatContainer();
    expect(container.image).toBe('registry.example.com/chat:1.2.3');
    expect(container.imagePullPolicy).toBe('Always');
    expect(pod.spec.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(container.env.map((e: Any) => e.name)).toEqual(['REDIS_URL', 'REPLICA_ID', 'EXTRA']);
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'talk' } }, { secretRef: { name: 'more-env' } }]);
    expect(r.one('ConfigMap', 'talk').data).toMatchObject({
      ALLOWED_ORIGINS: 'https://chat.example.com',
      LOG_LEVEL: 'debug',
      CHAT_CHANNEL: 'room-1',
    });
    expect(r.has('ServiceAccount')).toBe(false);
    expect(pod.spec.serviceAccountName).toBe('existing-sa');
    expect(r.has('PodDisruptionBudget')).toBe(false);
    expect(r.one('Service', 'talk').spec).toMatchObject({ type: 'LoadBalancer' });
    expect(r.one('Service', 'talk').spec.ports[0].port).toBe(8080);
    expect(pod.spec.topologySpreadConstraints[0]).toMatchObject({
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'DoNotSchedule',
    });
    expect(pod.spec.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(pod.spec.tolerations[0].key).toBe('dedicated');
    expect(pod.spec.affinity.nodeAffinity).toBeDefined();
    expect(pod.spec.priorityClassName).toBe('high');
    expect(pod.metadata.annotations['example.com/a']).toBe('b');
    expect(pod.metadata.labels).toMatchObject({ tier: 'frontend', team: 'chat' });
    for (const object of r.objects) expect(object.metadata.labels?.team, object.metadata.name).toBe('chat');
    expect(selects(deployment.spec.selector.matchLabels, pod.metadata.labels)).toBe(true);
    expect(r.one('StatefulSet', 'talk-redis')).toBeDefined();
    expect(r.one('NetworkPolicy').spec.ingress[0].from).toHaveLength(2);
    const tests = r.all('Pod') as Any[];
    expect(tests.map((test) => test.spec.containers[0].image)).toEqual([
      'registry.example.com/chat-tools:9',
      'registry.example.com/chat-tools:9',
    ]);
    expect(tests.map((test) => test.spec.containers[0].command[2])).toEqual([
      'http://talk:8080/readyz',
      'ws://talk:8080/ws',
    ]);
  });

  it('a release name containing "chat" is used as it is; others get the chart name appended', () => {
    expect(new Rendered({}, 'my-chat').has('Deployment', 'my-chat')).toBe(true);
    const other = new Rendered({}, 'prod');
    expect(other.has('Deployment', 'prod-chat')).toBe(true);
    expect(decode(other.one('Secret', 'prod-chat-redis').data['redis-url'])).toMatch(/@prod-chat-redis:6379$/);
  });

  it('percent-encodes a chosen Redis password in the URL', () => {
    const r = new Rendered({ redis: { auth: { password: 'p@ss word/+' } } });
    const secret = r.one('Secret', 'chat-redis');
    expect(decode(secret.data['redis-password'])).toBe('p@ss word/+');
    const url = decode(secret.data['redis-url']);
    expect(url).toBe('redis://:p%40ss%20word%2F%2B@chat-redis:6379');
    expect(decodeURIComponent(new URL(url).password)).toBe('p@ss word/+');
  });
});

describe('values the chart refuses', () => {
  it('redis disabled without an external Redis: fails with a message saying what to set', () => {
    const error = templateError({ redis: { enabled: false } });
    expect(error).toContain('chat: Redis is required');
    expect(error).toContain('externalRedis.url');
    expect(error).toContain('externalRedis.existingSecret');
  });

  it('an external Redis while the bundled one is on', () => {
    expect(templateError({ externalRedis: { url: 'redis://r:6379' } })).toContain('set redis.enabled=false');
  });

  it('a grace period shorter than the shutdown', () => {
    expect(templateError({ terminationGracePeriodSeconds: 20 })).toContain(
      'terminationGracePeriodSeconds (20) must exceed',
    );
    expect(templateError({ config: { shutdownDelayMs: 15000, shutdownTimeoutMs: 15000 } })).toContain(
      'must be less than config.shutdownTimeoutMs',
    );
  });

  it('wrong types, unknown keys and bad enums (values.schema.json)', () => {
    // Helm 4 names a value /a/b, Helm 3 a.b.
    expect(templateError({ replicaCount: 'three' })).toMatch(/replicaCount.*integer/is);
    expect(templateError({ replicas: 3 })).toMatch(/additional propert.*replicas/is);
    expect(templateError({ ingress: { enabled: 'yes' } })).toMatch(/ingress[./]enabled.*boolean/is);
    expect(templateError({ ingress: { websocketTimeout: 3600 } })).toMatch(/additional propert.*websocketTimeout/is);
    expect(templateError({ config: { logLevel: 'verbose' } })).toMatch(/config[./]logLevel/);
    // What the service itself would refuse at start (WRITE_INTERVAL_MS is 0 to 1000).
    expect(templateError({ config: { writeIntervalMs: 5000 } })).toMatch(/config[./]writeIntervalMs/);
    expect(templateError({ externalRedis: { url: 'http://redis:6379' } })).toMatch(/externalRedis[./]url.*pattern/is);
    expect(templateError({ redis: { image: { tag: null } } })).toMatch(/redis[./]image/);
  });
});
