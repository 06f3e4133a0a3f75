/** Connection ids: random, short, unique across replicas in practice (48 bits), for logs and presence. */
import { randomBytes } from 'node:crypto';

const ID_BYTES = 6;
/**
 * Random bytes are drawn for this many ids at a time: one call into the CSPRNG per id was about
 * 5 % of the CPU a replica spends accepting a connection (a burst of reconnects is all accepts).
 */
const IDS_PER_DRAW = 512;

let pool = Buffer.alloc(0);
let offset = 0;

export function connectionId(): string {
  if (offset === pool.length) {
    pool = randomBytes(ID_BYTES * IDS_PER_DRAW);
    offset = 0;
  }
  const id = pool.toString('base64url', offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return id;
}
