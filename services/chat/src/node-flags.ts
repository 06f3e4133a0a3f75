/**
 * The V8 flags a replica runs with, wherever it is started: the image, `npm start`, the local
 * cluster, the tests and the benchmark. They have to be on the command line (V8 sizes its heap
 * before any of our code runs, and NODE_OPTIONS refuses V8-only flags), so the Dockerfile and
 * package.json repeat them, and docker/test/static.test.ts checks that they agree with this list.
 *
 * Both are about the burst of thousands of connections arriving at once (a deploy, a replica that
 * died and whose clients all reconnect), after which a replica holds mostly idle connections:
 *
 * `--max-semi-space-size=4` (MiB): V8 grows the young generation under such a burst far past its
 * start size and keeps it. At 19,800 idle connections that was about 6 KB of RSS per connection
 * (12.7 KB with the default, 6.9 KB capped at 4 MiB).
 *
 * `--heap-growing-percent=10`: by default V8 lets the old generation grow up to several times
 * between full collections while allocation is fast and collection cheap, so the handshakes'
 * promoted garbage is interleaved with the connections' long-lived objects on pages it then keeps
 * committed and half empty. Collecting each time the old generation has grown by a tenth keeps it
 * dense: 7.0 -> 4.5 KB of RSS per idle connection at 19,800.
 *
 * What the second costs is CPU while a burst arrives (the full collections as the heap grows):
 * about 40 % more server CPU per accepted connection, the same connect-storm times within noise.
 * Once connections are in, delivering costs the same within noise, and the highest sustained rate
 * is unchanged. See BENCHMARKS.md, "Changes to the hot path".
 */
export const REPLICA_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--heap-growing-percent=10'];
