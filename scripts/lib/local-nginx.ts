/**
 * docker/nginx.conf for a machine without Docker: the same file, with the compose service name
 * in the upstream replaced by local replica ports and the listen address moved to loopback, plus
 * temp paths in a directory of its own so nginx runs without root. Used by `npm run cluster` and
 * the tests, so what they prove is the configuration compose ships.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstThatRuns } from './find-binary.ts';

export const NGINX_CONF = fileURLToPath(new URL('../../docker/nginx.conf', import.meta.url));

export interface LocalNginxOptions {
  /** Port nginx listens on (loopback). */
  listenPort: number;
  /** Ports of the local replicas that replace `server app:8080`. */
  upstreamPorts: readonly number[];
  /** Directory for the rendered file, pid, logs and temp files; created if missing. */
  dir: string;
  /** Address to listen on and reach the replicas at (default 127.0.0.1). */
  host?: string;
}

/** Rewrites the compose-specific parts of `source`; throws if the expected lines are missing. */
export function renderLocalNginxConf(source: string, options: LocalNginxOptions): string {
  const host = options.host ?? '127.0.0.1';
  const tempPaths = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((kind) => `  ${kind}_temp_path ${join(options.dir, `${kind}_temp`)};`)
    .join('\n');
  const rewrites: [RegExp, (...groups: string[]) => string][] = [
    [
      /^(\s*)server app:8080( [^;]*)?;$/m,
      (_match, indent = '', params = '') =>
        options.upstreamPorts.map((port) => `${indent}server ${host}:${port}${params};`).join('\n'),
    ],
    [/^(\s*)listen 80;$/m, (_match, indent = '') => `${indent}listen ${host}:${options.listenPort};`],
    // /dev/stdout cannot be opened when stdout is a socket (it works in containers, where it is a pipe).
    [
      /^(\s*)access_log \/dev\/stdout;$/m,
      (_match, indent = '') => `${indent}access_log ${join(options.dir, 'access.log')};`,
    ],
    [
      /^(\s*)error_log \/dev\/stderr( \w+)?;$/m,
      (_match, indent = '', level = '') => `${indent}error_log ${join(options.dir, 'error.log')}${level};`,
    ],
    [
      /^http \{$/m,
      () => `http {\n  # Local run: temp files where an unprivileged nginx may write them.\n${tempPaths}\n`,
    ],
  ];
  return rewrites.reduce((text, [pattern, replacer]) => replaceOnce(text, pattern, replacer), source);
}

function replaceOnce(text: string, pattern: RegExp, replacer: (...groups: string[]) => string): string {
  if (!pattern.test(text)) throw new Error(`docker/nginx.conf no longer has a line matching ${pattern}`);
  return text.replace(pattern, replacer);
}

/** Writes the local configuration into `dir` and returns its path. */
export function writeLocalNginxConf(options: LocalNginxOptions): string {
  mkdirSync(options.dir, { recursive: true });
  for (const kind of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
    // nginx started as root runs its workers as an unprivileged user, which must write here too.
    mkdirSync(join(options.dir, `${kind}_temp`), { recursive: true, mode: 0o777 });
  }
  const path = join(options.dir, 'nginx.conf');
  writeFileSync(path, renderLocalNginxConf(readFileSync(NGINX_CONF, 'utf8'), options));
  return path;
}

/**
 * Arguments that run nginx in the foreground on a rendered configuration, with its pid file and
 * startup error log in `dir` (Debian's defaults are under /run and /var/log, root only).
 */
export function nginxArgs(confPath: string, dir: string): string[] {
  return ['-c', confPath, '-p', dir, '-e', join(dir, 'error.log'), '-g', `daemon off; pid ${join(dir, 'nginx.pid')};`];
}

/**
 * The nginx binary: `preferred` if given (and it runs), else from PATH, else Debian's /usr/sbin
 * (not on a normal user's PATH); null if absent.
 */
export function findNginx(preferred?: string): string | null {
  if (preferred !== undefined) return firstThatRuns([preferred], ['-v']);
  return (
    firstThatRuns(['nginx', '/usr/sbin/nginx', '/usr/local/sbin/nginx'], ['-v']) ??
    (existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : null)
  );
}
