/**
 * Message ids: unique across replicas without coordination. A random prefix per process (about
 * 2^41 values) plus a per-process counter; the counter keeps ids from one replica in order.
 */
import { randomBytes } from 'node:crypto';

export function createIdGenerator(): () => string {
  const prefix = randomBytes(6).readUIntBE(0, 6).toString(36).padStart(10, '0').slice(-8);
  let counter = 0;
  return () => `${prefix}-${(++counter).toString(36)}`;
}

/** Short random id for a connection, for logs. */
export function connectionId(): string {
  return randomBytes(6).toString('base64url');
}
