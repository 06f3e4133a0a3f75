/** Connection ids: random, short, unique across replicas in practice (48 bits), for logs and presence. */
import { randomBytes } from 'node:crypto';

export function connectionId(): string {
  return randomBytes(6).toString('base64url');
}
