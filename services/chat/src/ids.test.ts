import { describe, expect, it } from 'vitest';
import { connectionId } from './ids.ts';

describe('connectionId', () => {
  it('gives 8 base64url characters (48 bits), all different, across many draws of the pool', () => {
    const ids = Array.from({ length: 5_000 }, () => connectionId());
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{8}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
