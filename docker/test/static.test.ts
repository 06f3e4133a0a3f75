/**
 * What ships for Docker, checked without a Docker engine: the compose file against both compose
 * schemas and for what matters, nginx.conf with the real `nginx -t`, and the Dockerfile for the
 * usual mistakes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findNginx, nginxArgs, writeLocalNginxConf } from '../../scripts/lib/local-nginx.ts';
import { REPLICA_NODE_FLAGS } from '../../services/chat/src/node-flags.ts';
import { COMPOSE_SCHEMAS, type ComposeSchema, composeSchemaErrors, parseCompose } from './support/compose-schema.ts';
import { REPO } from './support/docker.ts';

const read = (path: string) => readFileSync(join(REPO, path), 'utf8');

// biome-ignore lint/suspicious/noExplicitAny: a parsed YAML document, asserted on field by field
const compose = parseCompose(read('docker-compose.yml')) as any;

describe('docker-compose.yml', () => {
  it.each(Object.keys(COMPOSE_SCHEMAS) as ComposeSchema[])('validates against the %s schema', (schema) => {
    expect(composeSchemaErrors(compose, schema)).toEqual([]);
  });

  it('has no top-level name, which docker-compose v1 refuses', () => {
    expect(compose).not.toHaveProperty('name');
  });

  it('runs three app replicas from docker/Dockerfile, reachable only through nginx', () => {
    const { app } = compose.services;
    expect(app.deploy.replicas).toBe(3);
    expect(app.build).toMatchObject({ context: '.', dockerfile: 'docker/Dockerfile' });
    expect(app.build.args.NODE_IMAGE).toMatch(/^\$\{NODE_IMAGE:-node:24\.\d+\.\d+-[a-z]+-slim\}$/);
    expect(app).not.toHaveProperty('ports');
    expect(app).not.toHaveProperty('container_name'); // would forbid replicas
  });

  it('wires the app to Redis the article way and waits for Redis to be healthy', () => {
    const { app, redis } = compose.services;
    expect(app.environment).toMatchObject({ REDIS_HOST: 'redis', REDIS_PORT: '6379' });
    expect(app.depends_on.redis).toEqual({ condition: 'service_healthy' });
    expect(redis.image).toMatch(/^\$\{REDIS_IMAGE:-redis:7[\w.-]*\}$/);
    expect(redis.healthcheck.test).toEqual(['CMD', 'redis-cli', 'ping']);
  });

  it('checks app readiness, and starts nginx only once the replicas are ready', () => {
    const { app, nginx } = compose.services;
    expect(app.healthcheck.test.join(' ')).toContain('/readyz');
    expect(nginx.depends_on.app).toEqual({ condition: 'service_healthy' });
  });

  it('publishes nginx on CHAT_PORT (default 8080) with docker/nginx.conf mounted read-only', () => {
    const { nginx } = compose.services;
    expect(nginx.image).toMatch(/^\$\{NGINX_IMAGE:-nginx:1\.\d+[\w.-]*\}$/);
    expect(nginx.volumes).toContain('./docker/nginx.conf:/etc/nginx/nginx.conf:ro');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's interpolation, not JavaScript's
    expect(nginx.ports).toEqual(['${CHAT_BIND:-0.0.0.0}:${CHAT_PORT:-8080}:80']);
    expect(nginx.healthcheck.test.join(' ')).toContain('/nginx-health');
  });

  it('takes every image other than its own from a variable with the official default', () => {
    for (const [name, service] of Object.entries(compose.services) as [string, { image?: string }][]) {
      if (name === 'app') continue;
      expect(service.image, name).toMatch(/^\$\{[A-Z_]+_IMAGE:-[a-z0-9./-]+:[\w.-]+\}$/);
      expect(service.image, name).not.toMatch(/:latest\}$/);
    }
  });
});

describe('docker/nginx.conf', () => {
  const conf = read('docker/nginx.conf');
  const dir = mkdtempSync(join(tmpdir(), 'nginx-static-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes the real nginx -t with the upstream pointed at local ports', () => {
    const nginx = findNginx();
    if (nginx === null) throw new Error('nginx is needed for this test: apt-get install -y nginx');
    const path = writeLocalNginxConf({ listenPort: 18_080, upstreamPorts: [18_081, 18_082, 18_083], dir });
    const check = spawnSync(nginx, ['-t', ...nginxArgs(path, dir)], { encoding: 'utf8' });
    expect(check.stderr).toContain('test is successful');
    expect(check.status).toBe(0);
  });

  it('balances over the app service and upgrades WebSockets only when asked', () => {
    expect(conf).toMatch(/upstream chat \{[^}]*server app:8080[^}]*\}/);
    expect(conf).toMatch(/map \$http_upgrade \$connection_upgrade \{\s*default upgrade;/);
    expect(conf).toContain('proxy_http_version 1.1;');
    expect(conf).toContain('proxy_set_header Upgrade $http_upgrade;');
    expect(conf).toContain('proxy_set_header Connection $connection_upgrade;');
    expect(conf).not.toMatch(/proxy_set_header Upgrade websocket/); // the article's mistake
  });

  it('forwards the host and client address, and keeps idle chats open for an hour', () => {
    expect(conf).toContain('proxy_set_header Host $http_host;');
    expect(conf).toMatch(/proxy_set_header X-Forwarded-For \$\w+;/);
    for (const directive of ['proxy_read_timeout', 'proxy_send_timeout']) {
      const seconds = Number(new RegExp(`${directive} (\\d+)s;`).exec(conf)?.[1]);
      expect(seconds, directive).toBeGreaterThanOrEqual(3600);
    }
  });

  it('answers /nginx-health itself', () => {
    expect(conf).toMatch(/location = \/nginx-health \{[^}]*return 200/);
  });
});

describe('docker/Dockerfile', () => {
  // Continuation lines joined, comments dropped: one instruction per entry.
  const instructions = read('docker/Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages = instructions.filter((line) => line.startsWith('FROM '));
  const finalStage = instructions.slice(instructions.lastIndexOf(stages.at(-1) ?? ''));

  it('is a multi-stage build on a pinned Node 24 base given as a build argument', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const base = /^ARG NODE_IMAGE=(\S+)$/m.exec(instructions.join('\n'))?.[1];
    expect(base).toMatch(/^node:24\.\d+\.\d+-[a-z]+-slim$/);
    for (const from of stages) expect(from).toMatch(/^FROM (\$\{NODE_IMAGE\}|deps|build)( AS \w+)?$/);
    expect(instructions.join('\n')).not.toMatch(/:latest\b/);
  });

  it('installs with npm ci from the lockfile, never npm install', () => {
    const text = instructions.join('\n');
    expect(text).toContain('COPY package.json package-lock.json ./');
    expect(read('docker/npm-ci.sh')).toMatch(/^npm ci /m);
    expect(text).not.toMatch(/npm (install|i) /);
  });

  it('runs the final stage as a non-root user, in production mode, with a health check', () => {
    const user = finalStage.find((line) => line.startsWith('USER '));
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER (root|0)(:|$)/);
    expect(finalStage).toContain('ENV NODE_ENV=production');
    expect(finalStage).toContain('EXPOSE 8080');
    expect(finalStage.find((line) => line.startsWith('HEALTHCHECK'))).toContain('healthcheck.js');
    // Exec form, so node is PID 1 and receives SIGTERM itself.
    expect(finalStage.at(-1)).toBe(
      `CMD [${['node', ...REPLICA_NODE_FLAGS, 'dist/main.js'].map((part) => JSON.stringify(part)).join(', ')}]`,
    );
  });

  it('starts node with the same V8 flags as every other way of running a replica', () => {
    const scripts = JSON.parse(read('services/chat/package.json')).scripts as Record<string, string>;
    expect(scripts.start).toBe(['node', ...REPLICA_NODE_FLAGS, 'src/main.ts'].join(' '));
    expect(scripts['start:dist']).toBe(['node', ...REPLICA_NODE_FLAGS, 'dist/main.js'].join(' '));
  });

  it('has a .dockerignore that keeps node_modules, tests, git and docs out of the context', () => {
    const rules = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(rules[0]).toBe('*'); // everything out, then only what the build needs back in
    const allowed = rules.filter((rule) => rule.startsWith('!')).map((rule) => rule.slice(1));
    for (const path of [
      'node_modules',
      '.git',
      'services/chat/test',
      'services/chat/node_modules',
      'docs',
      'README.md',
      'charts',
    ]) {
      expect(
        allowed.some((rule) => path === rule || path.startsWith(`${rule}/`)),
        path,
      ).toBe(false);
    }
    expect(rules).toContain('services/chat/src/**/*.test.ts');
  });
});
