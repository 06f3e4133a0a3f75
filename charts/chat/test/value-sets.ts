/** The value sets the chart is rendered, linted and validated with, by name. */
import type { Values } from './support/chart.ts';

export const valueSets: Record<string, Values> = {
  defaults: {},
  'external Redis URL': {
    redis: { enabled: false },
    externalRedis: { url: 'rediss://:s3cret@redis.example.com:6380/0' },
  },
  'external Redis from an existing Secret': {
    redis: { enabled: false },
    externalRedis: { existingSecret: 'managed-redis', existingSecretKey: 'url' },
  },
  'bundled Redis with an existing Secret and persistence': {
    redis: {
      auth: { existingSecret: 'my-redis-auth', existingSecretPasswordKey: 'pw', existingSecretUrlKey: 'url' },
      persistence: { enabled: true, storageClass: 'fast', size: '2Gi' },
    },
    networkPolicy: { enabled: true },
  },
  'ingress with TLS': {
    ingress: {
      enabled: true,
      hosts: [{ host: 'chat.example.com', paths: [{ path: '/', pathType: 'Prefix' }] }],
      tls: [{ secretName: 'chat-tls', hosts: ['chat.example.com'] }],
      annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt' },
    },
  },
  'autoscaling on': {
    autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 8, targetMemoryUtilizationPercentage: 80 },
  },
  'monitoring off': { monitoring: { scrapeAnnotations: false } },
  'monitoring on (ServiceMonitor, PrometheusRule, dashboard ConfigMap)': {
    monitoring: {
      scrapeAnnotations: false,
      serviceMonitor: {
        enabled: true,
        labels: { release: 'kube-prometheus-stack' },
        interval: '30s',
        scrapeTimeout: '10s',
        relabelings: [{ targetLabel: 'cluster', replacement: 'eu-1' }],
        metricRelabelings: [{ sourceLabels: ['__name__'], regex: 'nodejs_heap_space_.*', action: 'drop' }],
      },
      prometheusRule: { enabled: true, labels: { release: 'kube-prometheus-stack' } },
      dashboard: { enabled: true, annotations: { grafana_folder: 'Chat' }, namespace: 'monitoring' },
    },
  },
  'everything else on or changed': {
    fullnameOverride: 'talk',
    commonLabels: { team: 'chat' },
    image: { repository: 'registry.example.com/chat', tag: '1.2.3', pullPolicy: 'Always' },
    imagePullSecrets: [{ name: 'regcred' }],
    config: { allowedOrigins: 'https://chat.example.com', logLevel: 'debug', channel: 'room-1' },
    extraEnv: [{ name: 'EXTRA', value: 'x' }],
    extraEnvFrom: [{ secretRef: { name: 'more-env' } }],
    serviceAccount: { create: false, name: 'existing-sa' },
    service: { type: 'LoadBalancer', port: 8080, annotations: { 'example.com/lb': 'internal' } },
    podDisruptionBudget: { enabled: false },
    topologySpread: { enabled: true, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule' },
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'chat', effect: 'NoSchedule' }],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }] }],
        },
      },
    },
    priorityClassName: 'high',
    podAnnotations: { 'example.com/a': 'b' },
    podLabels: { tier: 'frontend' },
    networkPolicy: { enabled: true, extraRedisIngressFrom: [{ namespaceSelector: { matchLabels: { debug: 'yes' } } }] },
    tests: { image: { repository: 'registry.example.com/chat-tools', tag: '9' } },
  },
};
