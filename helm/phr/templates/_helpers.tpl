{{/* The release's base name: <release>-phr, or <release> when it already holds the chart's name. */}}
{{- define "phr.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels every object of the release carries. */}}
{{- define "phr.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component (dict "ctx" $ "component" "server"). */}}
{{- define "phr.selector" -}}
app.kubernetes.io/name: {{ .ctx.Chart.Name }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* An image reference from {repository, tag, digest}: repository:tag, with @digest when one is given. */}}
{{- define "phr.image" -}}
{{- if .digest -}}
{{- printf "%s:%s@%s" .repository .tag .digest -}}
{{- else -}}
{{- printf "%s:%s" .repository .tag -}}
{{- end -}}
{{- end -}}

{{/* The restricted Pod Security Standard for a pod: non-root, seccomp RuntimeDefault. */}}
{{- define "phr.podSecurity" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .uid }}
fsGroup: {{ .uid }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The restricted Pod Security Standard for a container: read-only root, no privilege escalation, no capabilities. */}}
{{- define "phr.containerSecurity" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/*
A credential: the existing Secret's name, or the generated one's when dev.insecureDefaults is true; fails otherwise.
(dict "ctx" $ "existing" <name> "generated" <name> "what" <words>)
*/}}
{{- define "phr.secretName" -}}
{{- if .existing -}}
{{- .existing -}}
{{- else if .ctx.Values.dev.insecureDefaults -}}
{{- .generated -}}
{{- else -}}
{{- fail (printf "%s: set its existingSecret (the chart generates secrets only with dev.insecureDefaults=true)" .what) -}}
{{- end -}}
{{- end -}}

{{/* The Secret of the server's keys and client secrets. */}}
{{- define "phr.appSecret" -}}
{{- include "phr.secretName" (dict "ctx" . "existing" .Values.app.secrets.existingSecret "generated" (printf "%s-server-dev" (include "phr.fullname" .)) "what" "app.secrets") -}}
{{- end -}}

{{/* The Secret of the server's database login. */}}
{{- define "phr.dbSecret" -}}
{{- if eq .Values.postgresql.mode "cloudnative-pg" -}}
{{- printf "%s-pg-app" (include "phr.fullname" .) -}}
{{- else -}}
{{- include "phr.secretName" (dict "ctx" . "existing" .Values.postgresql.external.existingSecret "generated" (printf "%s-db-dev" (include "phr.fullname" .)) "what" "postgresql.external") -}}
{{- end -}}
{{- end -}}

{{/* Host and port of the read-write PostgreSQL service. */}}
{{- define "phr.dbHost" -}}
{{- if eq .Values.postgresql.mode "cloudnative-pg" -}}
{{- printf "%s-pg-rw" (include "phr.fullname" .) -}}
{{- else -}}
{{- required "postgresql.external.host is required in external mode" .Values.postgresql.external.host -}}
{{- end -}}
{{- end -}}

{{- define "phr.dbPort" -}}
{{- if eq .Values.postgresql.mode "cloudnative-pg" -}}5432{{- else -}}{{ .Values.postgresql.external.port }}{{- end -}}
{{- end -}}

{{/* The token issuer URL the server and the portal trust. */}}
{{- define "phr.issuer" -}}
{{- if eq .Values.keycloak.mode "external" -}}
{{- required "keycloak.issuer is required in external mode" .Values.keycloak.issuer -}}
{{- else -}}
{{- printf "https://%s/realms/%s" (required "keycloak.hostname is required" .Values.keycloak.hostname) .Values.keycloak.realm -}}
{{- end -}}
{{- end -}}

{{/* The JSON-RPC URL of the chain node the server anchors through; empty when anchoring is off. */}}
{{- define "phr.rpcUrl" -}}
{{- if .Values.besu.enabled -}}
{{- printf "http://%s-besu-rpc:%d" (include "phr.fullname" .) (int .Values.besu.rpcPort) -}}
{{- else -}}
{{- .Values.chain.external.rpcUrl -}}
{{- end -}}
{{- end -}}

{{- define "phr.chainId" -}}
{{- if .Values.besu.enabled -}}{{ .Values.besu.chainId }}{{- else -}}{{ .Values.chain.external.chainId }}{{- end -}}
{{- end -}}

{{/* Keycloak's database login: its own existingSecret, else the server's database Secret (same PostgreSQL). */}}
{{- define "phr.keycloakDbSecret" -}}
{{- .Values.keycloak.database.existingSecret | default (include "phr.dbSecret" .) -}}
{{- end -}}

{{- define "phr.keycloakDbUserKey" -}}
{{- if .Values.keycloak.database.existingSecret -}}{{ .Values.keycloak.database.usernameKey }}
{{- else if eq .Values.postgresql.mode "cloudnative-pg" -}}username
{{- else -}}{{ .Values.postgresql.external.usernameKey }}{{- end -}}
{{- end -}}

{{- define "phr.keycloakDbPasswordKey" -}}
{{- if .Values.keycloak.database.existingSecret -}}{{ .Values.keycloak.database.passwordKey }}
{{- else if eq .Values.postgresql.mode "cloudnative-pg" -}}password
{{- else -}}{{ .Values.postgresql.external.passwordKey }}{{- end -}}
{{- end -}}
