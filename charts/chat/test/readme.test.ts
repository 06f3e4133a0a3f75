/** charts/chat/README.md: its values table is values.yaml's, and the recipes the chart promises are there. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectedReadme, readmePath, valueRows, valuesPath } from './values-doc.ts';

const readme = readFileSync(readmePath, 'utf8');

describe('chart README', () => {
  it('documents every value of values.yaml, with its default (node charts/chat/test/values-doc.ts --write)', () => {
    expect(readme).toBe(expectedReadme());
  });

  it('has a "# --" comment on every value', () => {
    const rows = valueRows(readFileSync(valuesPath, 'utf8'));
    expect(rows.length).toBeGreaterThan(50);
    for (const row of rows) expect(row.description.length, row.key).toBeGreaterThan(10);
    expect(rows.map((row) => row.key)).toEqual(
      expect.arrayContaining(['replicaCount', 'image.tag', 'ingress.className', 'redis.enabled', 'externalRedis.url']),
    );
  });

  it('refuses a value without a comment', () => {
    expect(() => valueRows('# -- documented\na: 1\nb: 2\n')).toThrow(/without a "# --" comment.*: b/);
    expect(valueRows('section:\n  # -- inner\n  x: true\n')).toEqual([
      { key: 'section.x', type: 'bool', default: true, description: 'inner' },
    ]);
  });

  it('covers install, upgrade, uninstall, external Redis and the ingress controllers', () => {
    for (const text of [
      'helm install chat charts/chat',
      'helm upgrade',
      'helm uninstall',
      'helm test',
      'externalRedis.existingSecret',
      'externalRedis.url',
      'nginx.ingress.kubernetes.io/proxy-read-timeout',
      'worker-shutdown-timeout',
      'timeout-tunnel',
      'idle_timeout.timeout_seconds',
      'BackendConfig',
      'No sticky sessions',
    ]) {
      expect(readme, text).toContain(text);
    }
  });
});
