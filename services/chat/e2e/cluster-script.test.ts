/**
 * `npm run cluster` as a newcomer runs it: it starts, says where to go, chats across replicas,
 * streams the replicas' logs under their names, and a Ctrl-C (SIGINT) ends every process it
 * started. When redis-server or nginx is missing, or a port is taken, it says what to do.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { childPids } from '../../../scripts/lib/proc.ts';
import { TestClient } from '../test/support/client.ts';
import { freePort, portFree, waitUntil } from '../test/support/wait.ts';

const SCRIPT = fileURLToPath(new URL('../../../scripts/cluster.ts', import.meta.url));
const running: ChildProcess[] = [];

afterAll(() => {
  // Only if a test failed half-way: the script's own exit hook then kills its children.
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
});

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function runCluster(args: string[]): Run {
  const child = spawn(process.execPath, [SCRIPT, ...args], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  return { child, output: () => output, exited: once(child, 'exit').then(([code]) => code as number | null) };
}

/** `count` consecutive loopback ports that are free, below the ephemeral range (nothing dials out from there). */
async function consecutiveFreePorts(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = 20_000 + Math.floor(Math.random() * 10_000);
    const free = await Promise.all(Array.from({ length: count }, (_, i) => portFree(first + i)));
    if (free.every(Boolean)) return first;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

it('starts redis, three replicas and nginx, chats across them, and Ctrl-C stops every process it started', async () => {
  const port = await consecutiveFreePorts(4);
  const redisPort = await freePort();
  const run = runCluster(['--port', String(port), '--redis-port', String(redisPort)]);
  await waitUntil(
    'the cluster to say it is ready',
    30_000,
    () => run.output().includes('cluster: ready') || run.child.exitCode !== null,
  );
  const out = run.output();
  expect(out, out).toContain(`Open http://localhost:${port} in two browser windows`);

  const table = [...out.matchAll(/^ {2}(\S+)\s+(\S+)\s+pid (\d+)$/gm)].map(([, name, url, pid]) => ({
    name,
    url,
    pid: Number(pid),
  }));
  expect(table.map(({ name, url }) => [name, url])).toEqual([
    ['redis', `redis://127.0.0.1:${redisPort}`],
    ['replica-1', `http://127.0.0.1:${port + 1}`],
    ['replica-2', `http://127.0.0.1:${port + 2}`],
    ['replica-3', `http://127.0.0.1:${port + 3}`],
    ['nginx', `http://127.0.0.1:${port}`],
  ]);
  const pids = table.map(({ pid }) => pid);
  const nginxPid = pids.at(-1) ?? 0;
  const workers = childPids(nginxPid);
  expect(workers.length).toBeGreaterThan(0);
  for (const pid of [...pids, ...workers]) expect(alive(pid)).toBe(true);
  const logDir = /error logs: (\S+) \(/.exec(out)?.[1] ?? '';
  expect(existsSync(logDir)).toBe(true);

  // Through nginx: the page, served by one of the three, and a chat between two replicas.
  const page = await fetch(`http://127.0.0.1:${port}/`);
  expect(page.status).toBe(200);
  expect(page.headers.get('x-chat-replica')).toMatch(/^replica-[123]$/);
  await page.body?.cancel();
  const clients = [
    await TestClient.connect(`ws://127.0.0.1:${port}/ws`),
    await TestClient.connect(`ws://127.0.0.1:${port}/ws`),
  ];
  const [alice, bob] = clients as [TestClient, TestClient];
  alice.send({ from: 'alice', message: 'through the cluster script' });
  expect((await bob.waitFor((frame) => frame.type === 'message')).message).toBe('through the cluster script');
  // The replicas' log lines arrive under their names.
  await waitUntil(
    'prefixed connection logs',
    5_000,
    () => (run.output().match(/^replica-\d \| \{.*"msg":"connection opened"/gm) ?? []).length >= 2,
  );

  run.child.kill('SIGINT');
  expect(await run.exited).toBe(0);
  expect(run.output()).toContain('cluster: stopped');
  await Promise.all(clients.map((client) => client.waitForClose()));
  expect(clients.map((client) => client.close?.code)).toEqual([1001, 1001]); // graceful, not dropped
  for (const pid of [...pids, ...workers]) expect(alive(pid), `pid ${pid} still running`).toBe(false);
  expect(existsSync(logDir)).toBe(false);
  for (const p of [port, port + 1, port + 2, port + 3, redisPort]) expect(await portFree(p)).toBe(true);
});

it('says how to install redis-server and nginx when they are missing', async () => {
  const run = runCluster(['--redis-server', '/nonexistent/redis-server', '--nginx', '/nonexistent/nginx']);
  expect(await run.exited).toBe(1);
  expect(run.output()).toContain('not found: redis-server, nginx');
  expect(run.output()).toContain('sudo apt-get install -y redis-server nginx');
});

it('names a port that is taken and how to choose others, starting nothing', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const taken = (blocker.address() as { port: number }).port;
  try {
    const run = runCluster([
      '--port',
      String(taken),
      '--replica-port',
      String(await freePort()),
      '--redis-port',
      String(await freePort()),
    ]);
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain(`already in use on 127.0.0.1: ${taken} (for nginx)`);
    expect(run.output()).toContain('--port');
    expect(run.output()).not.toContain('cluster: ready');
  } finally {
    blocker.close();
  }
});
