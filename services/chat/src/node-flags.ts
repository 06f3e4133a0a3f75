/**
 * The V8 flags a replica runs with, wherever it is started: the image, `npm start`, the local
 * cluster, the tests and the benchmark. They have to be on the command line (V8 sizes its heap
 * before any of our code runs), so the Dockerfile and package.json repeat them, and
 * docker/test/static.test.ts checks that they agree with this list.
 *
 * `--max-semi-space-size=4` (MiB): under the allocation burst of thousands of connections arriving,
 * V8 grows the young generation far past its start size and keeps it. At 19,800 idle connections
 * that was about 6 KB of RSS per connection (12.7 KB with the default, 6.9 KB capped at 4 MiB), and
 * the cap cost nothing measurable in CPU per delivered message at 60,000 deliveries/s. See
 * BENCHMARKS.md, "Changes to the hot path".
 */
export const REPLICA_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
