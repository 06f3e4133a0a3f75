/**
 * Writes that go straight to a socket's descriptor, one write(2) each, skipping Node's stream
 * machinery: the per-recipient hot path of a broadcast (Connection.write), so nothing here may
 * allocate per call.
 */
import { writevSync } from 'node:fs';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

/**
 * The descriptor under a plain TCP socket, or -1: a TLS socket's bytes must pass through its
 * stream to be encrypted, and a platform without descriptors (Windows) has none to give.
 */
export function descriptorOf(socket: Socket): number {
  if (socket instanceof TLSSocket) return -1;
  const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : -1;
}

/**
 * The one-buffer list every write hands to writevSync. fs.writeSync would do the same single
 * write(2), but allocates an error-context object and more on every call: at tens of thousands of
 * deliveries a second that was the largest part of a replica's garbage (38 % in fan-out), and so
 * of its young-generation collections. Shared, as the write is synchronous, and emptied after each
 * so that it keeps no frame alive.
 */
const NOTHING = Buffer.alloc(0);
const ONE_BUFFER: Buffer[] = [NOTHING];

/**
 * Bytes of `wire` the kernel took at once: 0 when its buffer for the socket is full (EAGAIN) or the
 * write failed, in which case socket.write tries again and reports any error the usual way.
 */
export function writeToKernel(fd: number, wire: Buffer): number {
  ONE_BUFFER[0] = wire;
  try {
    return writevSync(fd, ONE_BUFFER);
  } catch {
    return 0;
  } finally {
    ONE_BUFFER[0] = NOTHING;
  }
}
