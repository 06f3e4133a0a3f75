/**
 * k8s/ is the chart rendered with its default values (scripts/render-k8s.ts): it must be up to
 * date, build with `kubectl kustomize`, and deploy the same objects as the chart.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  K8S_RELEASE,
  K8S_TEMPLATE_ARGS,
  k8sDir,
  readK8s,
  renderK8s,
  runToolOk,
  yamlObjects,
} from '../../../scripts/render-k8s.ts';
import { Rendered } from './support/chart.ts';
import { type KubeObject, kubeProblems } from './support/kube-schema.ts';

// biome-ignore lint/suspicious/noExplicitAny: rendered objects are edited field by field.
type Any = any;

const key = (object: KubeObject) => `${object.kind}/${object.metadata.name}`;
const byKey = (objects: KubeObject[]) => [...objects].sort((a, b) => key(a).localeCompare(key(b)));
const parseObjects = (text: string) => yamlObjects<KubeObject>(text);

describe('k8s/', () => {
  let expected: Map<string, string>;
  let chart: Rendered;
  beforeAll(() => {
    expected = renderK8s();
    chart = new Rendered({}, K8S_RELEASE, K8S_TEMPLATE_ARGS);
  });

  it('is up to date with the chart (run `node scripts/render-k8s.ts` after changing it)', () => {
    const actual = readK8s();
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [name, content] of expected) expect(actual.get(name), `k8s/${name}`).toBe(content);
  });

  it('holds one object per file, named after it, all listed in kustomization.yaml', () => {
    const files = [...readK8s().keys()].filter((name) => name !== 'kustomization.yaml');
    for (const name of files) {
      const objects = parseObjects(readK8s().get(name) ?? '');
      expect(objects, name).toHaveLength(1);
      const [object] = objects as [KubeObject];
      expect(name).toBe(`${object.metadata.name}-${object.kind.toLowerCase()}.yaml`);
    }
    const kustomization = parseObjects(readK8s().get('kustomization.yaml') ?? '')[0] as unknown as {
      resources: string[];
    };
    expect([...kustomization.resources].sort()).toEqual(files.sort());
    expect(existsSync(join(k8sDir, 'README.md'))).toBe(true);
  });

  it('`kubectl kustomize k8s/` builds exactly the objects of the chart rendered with its defaults', () => {
    const built = parseObjects(runToolOk('kubectl', ['kustomize', k8sDir]));
    expect(byKey(built)).toEqual(byKey(chart.objects));
    expect(built.map(key)).toContain('Deployment/chat');
    expect(built.map(key)).toContain('StatefulSet/chat-redis');
    expect(built.some((object) => object.kind === 'Pod')).toBe(false); // helm test pods stay out
  });

  it('only the Redis password (and the checksums of it) differ from a plain `helm template`', () => {
    const plain = new Rendered({}, K8S_RELEASE, ['--skip-tests']);
    const strip = (objects: KubeObject[]) =>
      byKey(objects).map((object) => {
        const copy = structuredClone(object) as Any;
        if (copy.kind === 'Secret') copy.data = Object.keys(copy.data);
        const annotations = copy.spec?.template?.metadata?.annotations ?? {};
        for (const name of ['checksum/redis', 'checksum/auth']) {
          if (name in annotations) annotations[name] = 'a checksum of the password';
        }
        return copy;
      });
    expect(strip(chart.objects)).toEqual(strip(plain.objects));
    const secret = chart.one('Secret', 'chat-redis');
    expect(Buffer.from(secret.data['redis-password'], 'base64').toString()).toMatch(/^change-me/);
  });

  it('validates against the Kubernetes API schemas', async () => {
    const objects = parseObjects(runToolOk('kubectl', ['kustomize', k8sDir]));
    expect((await Promise.all(objects.map(kubeProblems))).flat()).toEqual([]);
  });
});
