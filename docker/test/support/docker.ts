/**
 * Docker for the container tests: whether an engine answers, the local stand-in base images
 * (scripts/make-base-images.sh), building the app image, and docker compose (v2 plugin or
 * Debian's docker-compose v1, whichever is there).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { registryCa } from '../../../scripts/lib/registry-ca.ts';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

export interface BaseImages {
  NODE_IMAGE: string;
  REDIS_IMAGE: string;
  NGINX_IMAGE: string;
}

/** Runs a command in the repo; resolves with stdout, rejects with its stderr on failure. */
export function run(
  command: string,
  args: readonly string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        cwd: REPO,
        env: { ...process.env, ...options.env },
        timeout: options.timeoutMs ?? 600_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

/** Whether a Docker engine answers, and if not, why. */
export async function dockerEngine(): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
  try {
    const version = (await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 15_000 })).trim();
    return { ok: true, version };
  } catch (error) {
    return { ok: false, reason: (error as Error).message.split('\n').slice(0, 3).join(' ') };
  }
}

/** Makes (or reuses) the stand-ins for the official base images; returns their names. */
export async function standinImages(): Promise<BaseImages> {
  const output = await run('bash', ['scripts/make-base-images.sh'], { timeoutMs: 900_000 });
  const images = Object.fromEntries(
    output
      .trim()
      .split('\n')
      .map((line) => line.split('=') as [string, string]),
  );
  for (const name of ['NODE_IMAGE', 'REDIS_IMAGE', 'NGINX_IMAGE']) {
    if (!images[name]) throw new Error(`make-base-images.sh did not name ${name}: ${output}`);
  }
  return images as unknown as BaseImages;
}

/** Build arguments every image build here needs: the base, and the registry CA if a proxy needs one. */
export async function buildArgs(images: BaseImages): Promise<Record<string, string>> {
  return { NODE_IMAGE: images.NODE_IMAGE, EXTRA_CA_CERTS: await registryCa() };
}

export async function buildAppImage(tag: string, images: BaseImages): Promise<void> {
  const args = Object.entries(await buildArgs(images)).flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]);
  await run('docker', ['build', '-q', '-f', 'docker/Dockerfile', '-t', tag, ...args, '.']);
}

/** `docker compose` when the v2 plugin is installed, else Debian's `docker-compose` v1. */
export async function composeCommand(): Promise<[string, ...string[]]> {
  try {
    await run('docker', ['compose', 'version'], { timeoutMs: 10_000 });
    return ['docker', 'compose'];
  } catch {
    await run('docker-compose', ['version'], { timeoutMs: 10_000 });
    return ['docker-compose'];
  }
}

/** One compose project of the repo's docker-compose.yml, driven from the command line. */
export class ComposeProject {
  readonly name: string;
  readonly env: Record<string, string>;
  readonly #command: [string, ...string[]];

  constructor(command: [string, ...string[]], name: string, env: Record<string, string>) {
    this.#command = command;
    this.name = name;
    this.env = env;
  }

  run(...args: string[]): Promise<string> {
    const [binary, ...prefix] = this.#command;
    return run(binary, [...prefix, '-p', this.name, '-f', 'docker-compose.yml', ...args], { env: this.env });
  }

  /** Container ids of a service's replicas. */
  async containers(service: string): Promise<string[]> {
    return (await this.run('ps', '-q', service)).trim().split('\n').filter(Boolean);
  }
}
