/**
 * The rendered containers, run for real on this machine as far as no cluster is needed: Redis with
 * the StatefulSet's command, arguments ($(VAR) expanded from the Secret, as the kubelet does) and
 * probes; the chat with the Deployment's environment (its ConfigMap and Secret); the helm test pods'
 * commands against it; and a SIGTERM that must end in a clean exit within the grace period. Only
 * what a cluster would provide is replaced: Service names become 127.0.0.1, and the ports are free
 * ones (rendered into the chart through redis.port and containerPort).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitUntil } from '../../../scripts/lib/wait.ts';
import { repoRoot } from '../../../scripts/render-k8s.ts';
import { REPLICA_NODE_FLAGS } from '../../../services/chat/src/node-flags.ts';
import { Rendered } from './support/chart.ts';

// biome-ignore lint/suspicious/noExplicitAny: rendered objects are read field by field.
type Any = any;

const serviceDir = join(repoRoot, 'services', 'chat');
const decode = (value: string) => Buffer.from(value, 'base64').toString('utf8');

/** A container's environment as the kubelet builds it: envFrom ConfigMaps, then env entries. */
function containerEnv(r: Rendered, container: Any, podName: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    Object.assign(env, r.one('ConfigMap', source.configMapRef.name).data);
  }
  for (const entry of container.env ?? []) {
    if (entry.value !== undefined) env[entry.name] = expand(entry.value, env);
    else if (entry.valueFrom.secretKeyRef) {
      const { name, key } = entry.valueFrom.secretKeyRef;
      env[entry.name] = decode(r.one('Secret', name).data[key]);
    } else if (entry.valueFrom.fieldRef?.fieldPath === 'metadata.name') env[entry.name] = podName;
    else throw new Error(`env ${entry.name}: unsupported source ${JSON.stringify(entry.valueFrom)}`);
  }
  return env;
}

/** Kubernetes' $(VAR) expansion in command, args and env values ($$ escapes). */
const expand = (text: string, env: Record<string, string>) =>
  text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (match, name?: string) =>
    name === undefined ? '$' : (env[name] ?? match),
  );

/** Runs an exec probe's command in the container's environment; true when it exits 0. */
function execProbe(probe: Any, env: Record<string, string>): boolean {
  const [command, ...args] = probe.exec.command as string[];
  const result = spawnSync(command as string, args, { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 10_000 });
  return result.status === 0;
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve([child.exitCode, child.signalCode])
    : once(child, 'exit');

describe('the rendered pods, run on this machine', () => {
  let r: Rendered;
  let redisEnv: Record<string, string>;
  let redisContainer: Any;
  let chatContainer: Any;
  let chatPort: number;
  let redis: ChildProcess | undefined;
  let chat: ChildProcess | undefined;
  let chatStderr = '';
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-redis-data-'));

  beforeAll(async () => {
    if (spawnSync('redis-server', ['--version']).status !== 0) {
      throw new Error('redis-server is not on PATH (Debian: apt-get install -y redis-server); .ci/run installs it');
    }
    const redisPort = await freePort();
    chatPort = await freePort();
    r = new Rendered({ redis: { port: redisPort }, containerPort: chatPort });
    redisContainer = r.one('StatefulSet').spec.template.spec.containers[0];
    chatContainer = r.chatContainer();
    redisEnv = containerEnv(r, redisContainer, 'chat-redis-0');
  });

  afterAll(async () => {
    for (const child of [chat, redis]) {
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited(child);
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('Redis starts from the StatefulSet command, with the password from the Secret, and its probes pass', async () => {
    const args = (redisContainer.args as string[]).map((arg) => expand(arg, redisEnv));
    expect(args).toContain(redisEnv.REDIS_PASSWORD);
    redis = spawn(redisContainer.command[0], args, {
      cwd: dataDir, // the pod's /data, its working directory
      env: { PATH: process.env.PATH ?? '', ...redisEnv },
      stdio: 'ignore',
    });
    await waitUntil('the Redis readiness probe to pass', 15_000, () =>
      execProbe(redisContainer.readinessProbe, redisEnv),
    );
    expect(execProbe(redisContainer.livenessProbe, redisEnv)).toBe(true);
    // The password is really required: without it the probe (and any client) is refused.
    const { REDISCLI_AUTH: _auth, ...withoutAuth } = redisEnv;
    expect(execProbe(redisContainer.readinessProbe, withoutAuth)).toBe(false);
  });

  it('the chat starts with the Deployment environment and turns ready on that Redis', async () => {
    const env = containerEnv(r, chatContainer, 'chat-7d9f8-abcde');
    expect(env.REPLICA_ID).toBe('chat-7d9f8-abcde');
    expect(env.PORT).toBe(String(chatPort));
    // The Service name of Redis resolves in the cluster; here it is this machine.
    const redisUrl = env.REDIS_URL?.replace(/@chat-redis:/, '@127.0.0.1:');
    expect(redisUrl).not.toBe(env.REDIS_URL);
    chat = spawn(process.execPath, [...REPLICA_NODE_FLAGS, 'src/main.ts'], {
      cwd: serviceDir, // the image's WORKDIR; it runs dist/main.js, compiled from src/main.ts
      env: { PATH: process.env.PATH ?? '', ...env, REDIS_URL: redisUrl, HOST: '127.0.0.1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    chat.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      chatStderr += chunk;
    });
    const readyz = `http://127.0.0.1:${chatPort}${chatContainer.readinessProbe.httpGet.path}`;
    await waitUntil('the chat readiness probe to pass', 20_000, async () => {
      if (chat?.exitCode !== null) throw new Error(`the chat exited ${chat?.exitCode}: ${chatStderr}`);
      return fetch(readyz).then(
        (response) => response.ok,
        () => false,
      );
    });
    const healthz = await fetch(`http://127.0.0.1:${chatPort}${chatContainer.livenessProbe.httpGet.path}`);
    expect(healthz.status).toBe(200);
  });

  it('the helm test pods pass against it', () => {
    const service = r.one('Service', 'chat');
    const inCluster = `chat:${service.spec.ports[0].port}`;
    for (const pod of r.all('Pod') as Any[]) {
      const [node, tool, url] = pod.spec.containers[0].command as string[];
      expect(node).toBe('node');
      expect(url).toContain(`//${inCluster}/`);
      const result = spawnSync(
        process.execPath,
        [tool?.replace(/^dist\/(.*)\.js$/, 'src/$1.ts') ?? '', url?.replace(inCluster, `127.0.0.1:${chatPort}`) ?? ''],
        { cwd: serviceDir, encoding: 'utf8', timeout: 20_000 },
      );
      expect(result.status, `${pod.metadata.name}: ${result.stderr}`).toBe(0);
    }
  });

  it('on SIGTERM the chat drains and exits 0 well within terminationGracePeriodSeconds', async () => {
    const grace = r.one('Deployment').spec.template.spec.terminationGracePeriodSeconds;
    const started = Date.now();
    chat?.kill('SIGTERM');
    const [code] = (await exited(chat as ChildProcess)) as [number | null];
    const seconds = (Date.now() - started) / 1000;
    expect(code, chatStderr).toBe(0);
    expect(seconds).toBeLessThan(grace);
    // It kept serving for SHUTDOWN_DELAY_MS first (endpoint removal time).
    expect(seconds * 1000).toBeGreaterThanOrEqual(Number(r.one('ConfigMap').data.SHUTDOWN_DELAY_MS) - 100);
  });
});
