/**
 * The chart works with Helm 3 as well as Helm 4: Helm 3 (scripts/helm.sh helm3) lints it, renders
 * the very objects Helm 4 does for every value set, and refuses the same bad values.
 */
import { describe, expect, it } from 'vitest';
import { chartDir, runToolOk } from '../../../scripts/render-k8s.ts';
import { helmWithValues, Rendered, templateError } from './support/chart.ts';
import { valueSets } from './value-sets.ts';

// The generated Redis password is random: fix it so both renders can be compared.
const fixedPassword = ['--set', 'redis.auth.password=same-for-both'];

describe('Helm 3', () => {
  it('is a Helm 3 binary', () => {
    expect(runToolOk('helm3', ['version', '--short'])).toMatch(/^v3\./);
  });

  it.each(Object.keys(valueSets))('lints --strict and renders what Helm 4 renders with "%s"', (name) => {
    const values = valueSets[name];
    const lint = helmWithValues(['lint', '--strict'], values, 'helm3');
    expect(lint.stdout + lint.stderr).toContain('0 chart(s) failed');
    expect(lint.status).toBe(0);
    const helm3 = new Rendered(values, 'chat', fixedPassword, 'helm3');
    const helm4 = new Rendered(values, 'chat', fixedPassword, 'helm');
    expect(helm3.objects.length).toBeGreaterThan(3);
    expect(helm3.objects).toEqual(helm4.objects);
  });

  it('refuses what Helm 4 refuses', () => {
    expect(templateError({ redis: { enabled: false } }, 'helm3')).toContain('chat: Redis is required');
    expect(templateError({ replicas: 3 }, 'helm3')).toMatch(/additional propert.*replicas/is);
    expect(templateError({ terminationGracePeriodSeconds: 5 }, 'helm3')).toContain('terminationGracePeriodSeconds');
  });

  it('lints the chart directory with its defaults', () => {
    expect(runToolOk('helm3', ['lint', '--strict', chartDir])).toContain('1 chart(s) linted, 0 chart(s) failed');
  });
});
