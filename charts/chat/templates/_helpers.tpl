{{/*
Chart name, at most 63 characters (DNS label).
*/}}
{{- define "chat.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name of the release's objects: the release name, plus the chart name unless the release name
already contains it. At most 63 characters, since some Kubernetes name fields are DNS labels.
*/}}
{{- define "chat.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "chat.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels on every object.
*/}}
{{- define "chat.labels" -}}
helm.sh/chart: {{ include "chat.chart" . }}
app.kubernetes.io/name: {{ include "chat.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: {{ include "chat.name" . }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Selector labels of the release's objects; each component adds app.kubernetes.io/component, so the
chat pods, the Redis pod and the helm test pods never match one another's selectors.
*/}}
{{- define "chat.baseSelectorLabels" -}}
app.kubernetes.io/name: {{ include "chat.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Selector labels of the chat pods (Deployment, Service, PodDisruptionBudget, NetworkPolicy peer).
*/}}
{{- define "chat.selectorLabels" -}}
{{ include "chat.baseSelectorLabels" . }}
app.kubernetes.io/component: server
{{- end }}

{{/*
Selector labels of the bundled Redis pod.
*/}}
{{- define "chat.redis.selectorLabels" -}}
{{ include "chat.baseSelectorLabels" . }}
app.kubernetes.io/component: redis
{{- end }}

{{/*
Name of the chat's ServiceAccount.
*/}}
{{- define "chat.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "chat.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The chat image, repository:tag; the tag defaults to the chart's appVersion.
*/}}
{{- define "chat.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag | toString) }}
{{- end }}

{{/*
Names of the bundled Redis objects (StatefulSet, headless Service, Secret).
*/}}
{{- define "chat.redis.fullname" -}}
{{- printf "%s-redis" (include "chat.fullname" . | trunc 57 | trimSuffix "-") }}
{{- end }}

{{/*
The Secret holding the bundled Redis password and URL: the user's existing one, else the chart's.
*/}}
{{- define "chat.redis.secretName" -}}
{{- default (include "chat.redis.fullname" .) .Values.redis.auth.existingSecret }}
{{- end }}

{{/*
Key of the bundled Redis password in its Secret.
*/}}
{{- define "chat.redis.passwordKey" -}}
{{- if .Values.redis.auth.existingSecret }}
{{- .Values.redis.auth.existingSecretPasswordKey }}
{{- else -}}
redis-password
{{- end }}
{{- end }}

{{/*
Where the chat's REDIS_URL comes from, as a dict {name, key} of a Secret. Also checks the Redis
settings, failing the render with a message that says what to set.
*/}}
{{- define "chat.redisUrlSecret" -}}
{{- if .Values.redis.enabled }}
{{- if or .Values.externalRedis.url .Values.externalRedis.existingSecret }}
{{- fail "chat: externalRedis is set but redis.enabled is true; set redis.enabled=false to use the external Redis, or clear externalRedis to use the bundled one" }}
{{- end }}
{{- $key := ternary .Values.redis.auth.existingSecretUrlKey "redis-url" (ne .Values.redis.auth.existingSecret "") }}
{{- dict "name" (include "chat.redis.secretName" .) "key" $key | toJson }}
{{- else if .Values.externalRedis.existingSecret }}
{{- dict "name" .Values.externalRedis.existingSecret "key" .Values.externalRedis.existingSecretKey | toJson }}
{{- else if .Values.externalRedis.url }}
{{- dict "name" (printf "%s-external-redis" (include "chat.fullname" . | trunc 47 | trimSuffix "-")) "key" "redis-url" | toJson }}
{{- else }}
{{- fail "chat: Redis is required: with redis.enabled=false, set externalRedis.url (e.g. redis://:PASSWORD@my-redis:6379) or externalRedis.existingSecret (a Secret with the URL under externalRedis.existingSecretKey), or set redis.enabled=true to deploy one with the chart" }}
{{- end }}
{{- end }}

{{/*
Graceful shutdown settings, checked: the chat must be able to finish its shutdown before the kubelet
kills it.
*/}}
{{- define "chat.checkShutdown" -}}
{{- $delay := int .Values.config.shutdownDelayMs }}
{{- $timeout := int .Values.config.shutdownTimeoutMs }}
{{- $grace := int .Values.terminationGracePeriodSeconds }}
{{- if ge $delay $timeout }}
{{- fail (printf "chat: config.shutdownDelayMs (%d) must be less than config.shutdownTimeoutMs (%d), or sockets never get to close" $delay $timeout) }}
{{- end }}
{{- if le (mul $grace 1000) (add $delay $timeout) }}
{{- fail (printf "chat: terminationGracePeriodSeconds (%d) must exceed (config.shutdownDelayMs + config.shutdownTimeoutMs) / 1000 = %d s, or Kubernetes kills the chat before it closes its sockets" $grace (div (add $delay $timeout) 1000)) }}
{{- end }}
{{- end }}

{{/*
Image of the helm test pods: the chat image unless tests.image names another one.
*/}}
{{- define "chat.tests.image" -}}
{{- $repository := default .Values.image.repository .Values.tests.image.repository }}
{{- $tag := default (default .Chart.AppVersion .Values.image.tag) .Values.tests.image.tag }}
{{- printf "%s:%s" $repository (toString $tag) }}
{{- end }}

{{/*
Pod spec shared by the helm test pods: one probe tool of the chat image, run once, unprivileged.
Call with (dict "context" $ "args" (list ...)).
*/}}
{{- define "chat.tests.podSpec" -}}
{{- $ := .context -}}
restartPolicy: Never
automountServiceAccountToken: false
enableServiceLinks: false
{{- with $.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml $.Values.podSecurityContext | nindent 2 }}
containers:
  - name: {{ .name }}
    image: {{ include "chat.tests.image" $ | quote }}
    imagePullPolicy: {{ $.Values.image.pullPolicy }}
    # The image's WORKDIR is /app/services/chat, where dist/tools/ lives.
    command:
      {{- toYaml .command | nindent 6 }}
    securityContext:
      {{- toYaml $.Values.securityContext | nindent 6 }}
    {{- with $.Values.tests.resources }}
    resources:
      {{- toYaml . | nindent 6 }}
    {{- end }}
{{- include "chat.placement" (pick $.Values "nodeSelector" "tolerations") }}
{{- end }}

{{/*
Where a pod may run: nodeSelector, affinity and tolerations from a values map (.Values for the
chat, .Values.redis for Redis), each written only when set.
*/}}
{{- define "chat.placement" -}}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
