{{/* The release's name for every object, at most 63 characters (a DNS label). */}}
{{- define "porthole.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The headless Service that gives each node its own DNS name: <pod>.<this>.<namespace>.svc. */}}
{{- define "porthole.nodesService" -}}
{{- printf "%s-nodes" (include "porthole.fullname" . | trunc 57 | trimSuffix "-") -}}
{{- end -}}

{{- define "porthole.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "porthole.labels" -}}
{{ include "porthole.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Whether the nodes share a store: a PostgreSQL URL is set. */}}
{{- define "porthole.sharedStore" -}}
{{- if .Values.database.url -}}true{{- end -}}
{{- end -}}

{{/* Refusals: a combination that would install but not work. */}}
{{- define "porthole.validate" -}}
{{- $nodes := int .Values.replicas -}}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.maxReplicas) $nodes) -}}
{{- $nodes = int .Values.autoscaling.maxReplicas -}}
{{- end -}}
{{- if and (gt $nodes 1) (not .Values.database.url) -}}
{{- fail "more than one node needs the shared store: set database.url (jdbc:postgresql://...)" -}}
{{- end -}}
{{- if and (gt $nodes 1) (ne .Values.blobs.type "s3") -}}
{{- fail "more than one node needs shared blobs: set blobs.type to s3 (and blobs.s3.*)" -}}
{{- end -}}
{{- if and .Values.database.url (not (hasPrefix "jdbc:postgresql://" .Values.database.url)) -}}
{{- fail "database.url must start with jdbc:postgresql://" -}}
{{- end -}}
{{- if and .Values.database.url (regexMatch "(?i)password=" .Values.database.url) -}}
{{- fail "database.url must not hold a password: it goes in the Secret (secret.keys.databasePassword)" -}}
{{- end -}}
{{- if eq .Values.blobs.type "s3" -}}
{{- if not .Values.blobs.s3.bucket -}}
{{- fail "blobs.type s3 needs blobs.s3.bucket" -}}
{{- end -}}
{{- end -}}
{{- range $name, $value := .Values.extraConfig -}}
{{- if not (regexMatch "^PORTHOLE_[A-Z0-9_]+$" $name) -}}
{{- fail (printf "extraConfig: %s is not a PORTHOLE_* setting" $name) -}}
{{- end -}}
{{- if regexMatch "(_KEY|_PASSWORD|_SECRET|_TOKEN)$" $name -}}
{{- fail (printf "extraConfig: %s looks like a secret; give it through the Secret, not the ConfigMap" $name) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The pod's memory: the server's share plus each computer's (values.yaml explains the sizing). */}}
{{- define "porthole.memoryRequest" -}}
{{- add (int .Values.resources.server.memoryMi) (mul (int .Values.computersPerNode) (int .Values.resources.perComputer.memoryRequestMi)) -}}Mi
{{- end -}}
{{- define "porthole.memoryLimit" -}}
{{- add (int .Values.resources.server.memoryMi) (mul (int .Values.computersPerNode) (int .Values.computerMemoryLimitMb)) -}}Mi
{{- end -}}
{{- define "porthole.cpuRequest" -}}
{{- add (int .Values.resources.server.cpuMilli) (mul (int .Values.computersPerNode) (int .Values.resources.perComputer.cpuRequestMilli)) -}}m
{{- end -}}

{{/* Where the Secret's files appear in the container. */}}
{{- define "porthole.secretDir" -}}/etc/porthole/secret{{- end -}}
