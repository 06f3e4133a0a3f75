/**
 * Every object the chart renders, with every value set, as the Kubernetes API would take it: the
 * OpenAPI schemas of kubernetes-models (types, required fields, enums) plus a check that each key
 * is a field the schema knows, which the schemas alone let through.
 */
import { describe, expect, it } from 'vitest';
import { Rendered } from './support/chart.ts';
import { kubeProblems, schemaModuleName } from './support/kube-schema.ts';
import { valueSets } from './value-sets.ts';

// biome-ignore lint/suspicious/noExplicitAny: objects under test are edited field by field.
type Any = any;

describe('the schema check itself', () => {
  const deployment = () => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'x', labels: { anything: 'goes' } },
    spec: {
      selector: { matchLabels: { app: 'x' } },
      template: {
        metadata: { labels: { app: 'x' } },
        spec: {
          containers: [
            {
              name: 'x',
              image: 'x',
              resources: { limits: { memory: '1Gi' } },
              livenessProbe: { httpGet: { path: '/healthz', port: 'http' } },
              securityContext: { readOnlyRootFilesystem: true },
            },
          ],
        },
      },
    },
  });

  it('maps API versions to kubernetes-models schemas', () => {
    expect(schemaModuleName('v1', 'Service')).toBe('IoK8sApiCoreV1Service');
    expect(schemaModuleName('networking.k8s.io/v1', 'Ingress')).toBe('IoK8sApiNetworkingV1Ingress');
    expect(schemaModuleName('autoscaling/v2', 'HorizontalPodAutoscaler')).toBe(
      'IoK8sApiAutoscalingV2HorizontalPodAutoscaler',
    );
  });

  it('accepts a valid object, free-form maps (labels, limits) included', async () => {
    expect(await kubeProblems(deployment())).toEqual([]);
  });

  it('catches misspelled keys at any depth, which the schemas alone let through', async () => {
    const object: Any = deployment();
    const [container] = object.spec.template.spec.containers;
    container.securityContext = { readOnlyRootFileSystem: true };
    container.livenessProbe.httpGet.pathh = '/x';
    object.spec.replica = 3;
    expect((await kubeProblems(object)).sort()).toEqual([
      'Deployment/x: .spec.replica is not a known field',
      'Deployment/x: .spec.template.spec.containers[0].livenessProbe.httpGet.pathh is not a known field',
      'Deployment/x: .spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem is not a known field',
    ]);
  });

  it('catches wrong types, missing required fields and unknown kinds', async () => {
    const object: Any = deployment();
    object.spec.template.spec.containers[0].ports = [{ containerPort: 'http' }];
    delete object.spec.selector;
    const problems = (await kubeProblems(object)).join('\n');
    expect(problems).toMatch(/containerPort type/);
    expect(problems).toMatch(/required .*selector/);
    await expect(kubeProblems({ apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'x' } })).rejects.toThrow(
      /no Kubernetes schema/,
    );
  });
});

describe.each(Object.entries(valueSets))('value set "%s"', (_name, values) => {
  it('renders objects the Kubernetes API accepts as written', async () => {
    const rendered = new Rendered(values);
    expect(rendered.objects.length).toBeGreaterThan(3);
    const problems = (await Promise.all(rendered.objects.map(kubeProblems))).flat();
    expect(problems).toEqual([]);
  });
});
