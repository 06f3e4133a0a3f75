/**
 * The article's own Go program (../../go/article/main.go: gin, gorilla/websocket, go-redis), built
 * here from Debian's packaged sources, offline: GOPATH=/usr/share/gocode with modules off. When Go
 * or those packages are missing it is skipped, and the reason is printed with the results.
 *   apt-get install -y golang-go golang-github-gin-gonic-gin-dev golang-github-gorilla-websocket-dev \
 *     golang-gopkg-redis.v5-dev
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { baseEnv, startServers } from './launch.ts';
import type { SystemUnderTest } from './system.ts';

const SOURCE_DIR = fileURLToPath(new URL('../../go/article/', import.meta.url));
const GOPATH = process.env.BENCH_GOPATH ?? '/usr/share/gocode';

let binary: string | undefined;

async function build(workDir: string): Promise<string | null> {
  const out = join(workDir, 'bin', 'article-go');
  const source = join(SOURCE_DIR, 'main.go');
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(source).mtimeMs) {
    binary = out;
    return null;
  }
  mkdirSync(join(workDir, 'bin'), { recursive: true });
  try {
    await promisify(execFile)('go', ['build', '-o', out, '.'], {
      cwd: SOURCE_DIR,
      env: { ...process.env, GO111MODULE: 'off', GOPATH, GOFLAGS: '' },
      timeout: 300_000,
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') return 'no Go toolchain (apt-get install -y golang-go and the packages in article-go.ts)';
    return `go build failed: ${(e.stderr ?? e.message).trim().split('\n').slice(0, 3).join(' | ')}`;
  }
  binary = out;
  return null;
}

export const articleGo: SystemUnderTest = {
  name: 'article-go',
  title: "article's Go program (gin + gorilla + go-redis)",
  dialect: 'article',
  singleProcess: false,
  node: false,
  prepare: build,
  start: (options) => {
    if (binary === undefined) throw new Error('article-go: prepare() first');
    const command = binary;
    const { replicas, redis } = options;
    return startServers(
      replicas,
      (i, port) => ({
        name: `article-go-${i + 1}`,
        command,
        args: [],
        env: {
          ...baseEnv(),
          PORT: String(port),
          REDIS_HOST: redis.host,
          REDIS_PORT: String(redis.port),
          GIN_MODE: 'release',
        },
        readyLine: 'subscribed',
      }),
      options,
    );
  },
};
