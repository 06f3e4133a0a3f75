/** skaffold.yaml (repository root): valid for skaffold/v4beta14, and every path it names exists. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readSharedSchema } from '../../../scripts/lib/shared-schemas.ts';
import { repoRoot } from '../../../scripts/render-k8s.ts';
import { Rendered } from './support/chart.ts';

// biome-ignore lint/suspicious/noExplicitAny: the config is checked field by field.
const skaffold: any = parse(readFileSync(join(repoRoot, 'skaffold.yaml'), 'utf8'));

describe('skaffold.yaml', () => {
  it('validates against the skaffold v4beta14 JSON schema', () => {
    const schema = readSharedSchema('skaffold-v4beta14.json');
    delete schema.$schema;
    delete schema.$id;
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    expect(validate(skaffold), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(skaffold.apiVersion).toBe('skaffold/v4beta14');
    expect(skaffold.kind).toBe('Config');
  });

  it('the schema rejects a misspelled key, so the check above means something', () => {
    const schema = readSharedSchema('skaffold-v4beta14.json');
    delete schema.$schema;
    const validate = new Ajv({ strict: false }).compile(schema);
    const broken = structuredClone(skaffold);
    broken.deploy.helm.releases[0].chartpath = broken.deploy.helm.releases[0].chartPath;
    expect(validate(broken)).toBe(false);
  });

  it('builds the image from docker/Dockerfile with the repository as context', () => {
    const [artifact] = skaffold.build.artifacts;
    expect(artifact.image).toBe('chat');
    expect(artifact.docker.dockerfile).toBe('docker/Dockerfile');
    const context = join(repoRoot, artifact.context ?? '.');
    expect(existsSync(join(context, artifact.docker.dockerfile))).toBe(true);
    expect(existsSync(join(context, 'services', 'chat', 'src'))).toBe(true);
  });

  it('deploys charts/chat with the built image set in the chart', () => {
    const [release] = skaffold.deploy.helm.releases;
    expect(existsSync(join(repoRoot, release.chartPath, 'Chart.yaml'))).toBe(true);
    expect(release.setValueTemplates['image.repository']).toBe('{{.IMAGE_REPO_chat}}');
    expect(release.setValueTemplates['image.tag']).toBe('{{.IMAGE_TAG_chat}}@{{.IMAGE_DIGEST_chat}}');
  });

  it('port-forwards the Service the chart creates for that release, on its port', () => {
    const [release] = skaffold.deploy.helm.releases;
    const service = new Rendered({}, release.name).one('Service', skaffold.portForward[0].resourceName);
    expect(skaffold.portForward[0]).toMatchObject({ resourceType: 'service', port: service.spec.ports[0].port });
    expect(skaffold.portForward[0].localPort).toBe(8080);
  });

  it('has a profile that deploys the plain manifests of k8s/ with kubectl instead of the chart', () => {
    const profile = skaffold.profiles.find((p: { name: string }) => p.name === 'manifests');
    expect(profile.patches).toEqual([{ op: 'remove', path: '/deploy/helm' }]);
    expect(profile.deploy).toEqual({ kubectl: {} });
    for (const path of profile.manifests.kustomize.paths) {
      expect(existsSync(join(repoRoot, path, 'kustomization.yaml')), path).toBe(true);
    }
  });
});
