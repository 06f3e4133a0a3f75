import { closeSync, openSync } from 'node:fs';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { descriptorOf, writeToKernel } from './direct-write.ts';

const opened: { server?: Server; sockets: Socket[] } = { sockets: [] };

afterEach(async () => {
  for (const socket of opened.sockets) socket.destroy();
  opened.sockets = [];
  await new Promise<void>((resolve) => (opened.server ? opened.server.close(() => resolve()) : resolve()));
  opened.server = undefined;
});

/** A loopback connection: the client socket, and what its peer has read so far. */
async function loopback(options: { read: boolean }): Promise<{ client: Socket; received: () => Buffer }> {
  const chunks: Buffer[] = [];
  const accepted = new Promise<Socket>((resolve) => {
    opened.server = createServer((peer) => {
      opened.sockets.push(peer);
      if (options.read) peer.on('data', (chunk: Buffer) => chunks.push(chunk));
      else peer.pause();
      resolve(peer);
    });
  });
  const server = opened.server as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  opened.sockets.push(client);
  await new Promise<void>((resolve) => client.once('connect', resolve));
  await accepted;
  return { client, received: () => Buffer.concat(chunks) };
}

describe('writeToKernel', () => {
  it('writes the bytes to the socket, in order, and says how many the kernel took', async () => {
    const { client, received } = await loopback({ read: true });
    const fd = descriptorOf(client);
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(writeToKernel(fd, Buffer.from('first '))).toBe(6);
    expect(writeToKernel(fd, Buffer.from('second'))).toBe(6);
    for (let i = 0; i < 100 && received().length < 12; i++) await new Promise((r) => setTimeout(r, 10));
    expect(received().toString()).toBe('first second');
  });

  it('returns what the kernel took, without throwing, once a reader that stopped has filled its buffer', async () => {
    const { client } = await loopback({ read: false });
    const fd = descriptorOf(client);
    const chunk = Buffer.alloc(64 * 1024, 120);
    let short = -1;
    // Bounded: loopback buffers hold a few MiB at most, far below 4,000 chunks (250 MiB).
    for (let i = 0; i < 4000 && short < 0; i++) {
      const taken = writeToKernel(fd, chunk);
      if (taken < chunk.length) short = taken;
    }
    expect(short).toBeGreaterThanOrEqual(0);
    expect(short).toBeLessThan(chunk.length);
    expect(writeToKernel(fd, chunk)).toBe(0); // still full: EAGAIN, reported as nothing taken
  });

  it('allocates nothing per write, so a broadcast makes no garbage per recipient', async () => {
    const fd = openSync('/dev/null', 'w');
    const frame = Buffer.from([0x81, 0x02, 0x68, 0x69]);
    const minorCollections: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const { kind } = (entry as { detail?: { kind?: number } }).detail ?? {};
        if (kind === constants.NODE_PERFORMANCE_GC_MINOR) minorCollections.push(entry.startTime);
      }
    });
    observer.observe({ entryTypes: ['gc'] });
    try {
      let written = 0;
      // 300,000 writes: at fs.writeSync's ~160 bytes a call that is ~48 MB, several young
      // generations' worth, so even one byte-sized allocation per write would collect.
      for (let i = 0; i < 300_000; i++) written += writeToKernel(fd, frame);
      expect(written).toBe(300_000 * frame.length);
      await new Promise((resolve) => setTimeout(resolve, 100)); // gc entries are delivered asynchronously
    } finally {
      observer.disconnect();
      closeSync(fd);
    }
    // At most one: the young generation may already be full when the loop starts.
    expect(minorCollections.length).toBeLessThanOrEqual(1);
  });
});
