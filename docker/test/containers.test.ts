/**
 * The image and the compose stack, built and run for real on a Docker engine. No registry is
 * needed: the official base images are replaced by local stand-ins (scripts/make-base-images.sh),
 * passed in through the build argument and compose variables a user would set too.
 *
 * Without a Docker engine the suite cannot run; it says so loudly, and fails when
 * CHAT_REQUIRE_DOCKER=1 (set by .ci/run, which starts dockerd itself).
 */
import { randomBytes } from 'node:crypto';
import { GenericContainer, type StartedTestContainer, Wait } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitUntil } from '../../scripts/lib/wait.ts';
import { TestClient } from '../../services/chat/test/support/client.ts';
import {
  type BaseImages,
  buildAppImage,
  buildArgs,
  ComposeProject,
  composeCommand,
  dockerEngine,
  run,
  standinImages,
} from './support/docker.ts';

// The reaper image cannot be pulled without a registry; every container here is stopped by the test.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

const engine = await dockerEngine();
if (!engine.ok) {
  const banner = '!'.repeat(100);
  console.warn(`\n${banner}\n!! CONTAINER TESTS NOT RUN: no Docker engine answers (${engine.reason})\n${banner}\n`);
}

if (engine.ok)
  describe(`image and compose stack on Docker ${engine.version}`, () => {
    const tag = `chat:test-${randomBytes(3).toString('hex')}`;
    let images: BaseImages;

    beforeAll(async () => {
      images = await standinImages();
      await buildAppImage(tag, images);
    });

    afterAll(async () => {
      await run('docker', ['image', 'rm', '-f', tag]).catch(() => {});
    });

    describe('the image', () => {
      let container: StartedTestContainer;
      let port: number;

      beforeAll(async () => {
        port = await freePort();
        // Host networking keeps the traffic on loopback; the image's own HEALTHCHECK runs as built.
        container = await new GenericContainer(tag)
          .withPullPolicy({ shouldPull: () => false })
          .withNetworkMode('host')
          .withEnvironment({ PORT: String(port), HOST: '127.0.0.1' })
          .withWaitStrategy(Wait.forLogMessage(/"msg":"listening"/))
          .start();
      });

      afterAll(async () => {
        if (container !== undefined) await run('docker', ['rm', '-f', container.getId()]).catch(() => {});
      });

      it('serves /healthz and a chat round trip', async () => {
        const health = await fetch(`http://127.0.0.1:${port}/healthz`);
        expect(health.status).toBe(200);
        const [alice, bob] = await Promise.all([1, 2].map(() => TestClient.connect(`ws://127.0.0.1:${port}/ws`)));
        alice?.send({ from: 'alice', message: 'from inside a container' });
        await bob?.waitFor((frame) => frame.message === 'from inside a container');
        await Promise.all([alice?.end(), bob?.end()]);
      });

      it('runs as a non-root user, with its probe tools', async () => {
        const id = await container.exec(['id', '-u']);
        expect(id.output.trim()).toBe('1000'); // the official image's `node` user
        const roundtrip = await container.exec(['node', 'dist/tools/roundtrip.js', `ws://127.0.0.1:${port}/ws`]);
        expect(roundtrip.exitCode).toBe(0);
      });

      it('stops on docker stop in well under 10 s, exit code 0, clients closed with 1001', async () => {
        const clients = await Promise.all([1, 2, 3].map(() => TestClient.connect(`ws://127.0.0.1:${port}/ws`)));
        const started = Date.now();
        await run('docker', ['stop', container.getId()]);
        const elapsed = Date.now() - started;
        const exitCode = (await run('docker', ['inspect', '-f', '{{.State.ExitCode}}', container.getId()])).trim();
        console.log(`docker stop took ${elapsed} ms, exit code ${exitCode}`);
        expect(exitCode).toBe('0');
        expect(elapsed).toBeLessThan(5_000);
        for (const client of clients) expect((await client.waitForClose()).code).toBe(1001);
      });
    });

    describe('docker-compose.yml: three replicas behind nginx on Redis', () => {
      let project: ComposeProject;
      let port: number;
      const clients: TestClient[] = [];

      beforeAll(async () => {
        port = await freePort();
        project = new ComposeProject(await composeCommand(), `chattest${randomBytes(3).toString('hex')}`, {
          ...images,
          ...(await buildArgs(images)),
          CHAT_IMAGE: tag, // already built above; compose reuses it
          CHAT_BIND: '127.0.0.1',
          CHAT_PORT: String(port),
        });
        await project.run('up', '-d', '--no-build');
        await waitUntil(
          'the stack to answer through nginx',
          90_000,
          async () => {
            const response = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
            return response?.status === 200;
          },
          500,
        );
      });

      afterAll(async () => {
        await Promise.all(clients.map((client) => client.end()));
        await project?.run('down', '--timeout', '5').catch((error: unknown) => console.error(error));
      });

      /** Connects through nginx until it has one client on each of `count` distinct replicas. */
      async function clientsOnDistinctReplicas(count: number): Promise<TestClient[]> {
        const byReplica = new Map<string, TestClient>();
        for (let attempt = 0; attempt < 30 && byReplica.size < count; attempt++) {
          const client = await TestClient.connect(`ws://127.0.0.1:${port}/ws`);
          clients.push(client);
          if (!byReplica.has(client.replica)) byReplica.set(client.replica, client);
        }
        expect(byReplica.size).toBe(count);
        return [...byReplica.values()];
      }

      it('runs three healthy app replicas', async () => {
        expect(await project.containers('app')).toHaveLength(3);
      });

      it('lets two clients on different replicas chat through nginx', async () => {
        const [alice, bob] = await clientsOnDistinctReplicas(2);
        if (alice === undefined || bob === undefined) throw new Error('no clients');
        expect(alice.replica).not.toBe(bob.replica);
        alice.send({ from: 'alice', message: `hi from ${alice.replica}` });
        bob.send({ from: 'bob', message: `hi from ${bob.replica}` });
        for (const client of [alice, bob]) {
          await client.waitFor((frame) => frame.message === `hi from ${alice.replica}`);
          await client.waitFor((frame) => frame.message === `hi from ${bob.replica}`);
        }
      });

      it('keeps chatting on the other replicas when one replica container stops', async () => {
        const [alice, bob, carol] = await clientsOnDistinctReplicas(3);
        if (alice === undefined || bob === undefined || carol === undefined) throw new Error('no clients');
        const carolsContainer = (await project.containers('app')).find((id) => id.startsWith(carol.replica));
        expect(carolsContainer).toBeDefined();
        await run('docker', ['stop', carolsContainer ?? '']);
        expect((await carol.waitForClose()).code).toBe(1001);

        alice.send({ from: 'alice', message: 'still here after a replica stopped' });
        await bob.waitFor((frame) => frame.message === 'still here after a replica stopped');
        // New connections through nginx land on the replicas that are left.
        // nginx may first try the stopped replica, whose address no longer answers at all, and
        // moves on after proxy_connect_timeout (2 s): allow for that once.
        const dave = await TestClient.connect(`ws://127.0.0.1:${port}/ws`, { handshakeTimeout: 10_000 });
        clients.push(dave);
        expect([alice.replica, bob.replica]).toContain(dave.replica);
        dave.send({ from: 'dave', message: 'newcomer' });
        await alice.waitFor((frame) => frame.message === 'newcomer');
      });

      it('comes down cleanly', async () => {
        await Promise.all(clients.splice(0).map((client) => client.end()));
        await project.run('down', '--timeout', '5');
        expect(await project.containers('app')).toEqual([]);
        expect(await project.containers('nginx')).toEqual([]);
      });
    });
  });
else
  describe('without a Docker engine', () => {
    it('is allowed here, but not where CHAT_REQUIRE_DOCKER=1 (CI)', () => {
      expect(process.env.CHAT_REQUIRE_DOCKER, `no Docker engine answers: ${engine.reason}`).not.toBe('1');
    });
  });
