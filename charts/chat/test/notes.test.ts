/**
 * templates/NOTES.txt, as `helm install` prints it. Helm 4 renders it without a cluster
 * (--dry-run=client; Helm 3 wants one), so this uses the pinned Helm 4 of scripts/helm.sh.
 */
import { describe, expect, it } from 'vitest';
import { chartDir, runTool } from '../../../scripts/render-k8s.ts';

const pinnedHelm4 = { ...process.env, CHAT_TOOLS_FROM_PACKAGE: '1', CHAT_HELM: '' };

function notes(...set: string[]): string {
  const args = ['install', 'chat', chartDir, '--dry-run=client', '--namespace', 'talk'];
  const run = runTool('helm', [...args, ...set.flatMap((value) => ['--set', value])], pinnedHelm4);
  expect(run.status, run.stderr).toBe(0);
  return run.stdout.slice(run.stdout.indexOf('NOTES:'));
}

describe('install notes', () => {
  it('say how to reach the chat through a port-forward, and how to test it', () => {
    const text = notes();
    expect(text).toContain('3 replicas, fanning messages out through the bundled Redis (chat-redis)');
    expect(text).toContain('kubectl port-forward --namespace talk svc/chat 8080:80');
    expect(text).toContain('http://localhost:8080/');
    expect(text).toContain('helm test chat --namespace talk');
    expect(text).not.toContain('WARNING');
  });

  it('give the page and WebSocket URLs of the Ingress, https and wss with TLS', () => {
    const text = notes(
      'ingress.enabled=true',
      'ingress.hosts[0].host=chat.example.com',
      'ingress.tls[0].secretName=chat-tls',
      'ingress.tls[0].hosts[0]=chat.example.com',
    );
    expect(text).toContain('https://chat.example.com/');
    expect(text).toContain('wss://chat.example.com/ws');
    expect(text).not.toContain('port-forward --namespace talk svc/chat');
    expect(notes('ingress.enabled=true', 'ingress.hosts[0].host=plain.example')).toContain('ws://plain.example/ws');
  });

  it('warn about one replica and missing WebSocket timeouts; name the external Redis and autoscaling', () => {
    const text = notes(
      'replicaCount=1',
      'ingress.enabled=true',
      'ingress.websocketTimeoutSeconds=0',
      'redis.enabled=false',
      'externalRedis.url=redis://r:6379',
    );
    expect(text).toContain('1 replica, fanning messages out through your external Redis');
    expect(text).toContain('WARNING: one replica');
    expect(text).toContain('ingress.websocketTimeoutSeconds is 0');
    expect(notes('autoscaling.enabled=true')).toContain('3 to 10 replicas (autoscaled)');
    expect(notes('service.type=LoadBalancer')).toContain('status.loadBalancer.ingress');
  });
});
