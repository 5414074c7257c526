{{/*
Chart name, or nameOverride. Truncated to 63 characters (the DNS label limit).
*/}}
{{- define "kube9-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name of the release's resources: fullnameOverride, or <release>-<chart> (just <release> when
the release name already contains the chart name). Truncated to 63 characters.
*/}}
{{- define "kube9-operator.fullname" -}}
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
Chart name and version for the helm.sh/chart label ("+" is not allowed in label values).
*/}}
{{- define "kube9-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Selector labels: stable for the life of a release (a Deployment's selector is immutable).
*/}}
{{- define "kube9-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kube9-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Standard labels for every resource of the chart.
*/}}
{{- define "kube9-operator.labels" -}}
helm.sh/chart: {{ include "kube9-operator.chart" . }}
{{ include "kube9-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: kube9
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Name of the ServiceAccount the operator runs as.
*/}}
{{- define "kube9-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "kube9-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Operator image: <repository>:<tag>, the tag defaulting to the chart's appVersion, or
<repository>@<digest> when a digest is given.
*/}}
{{- define "kube9-operator.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/*
Name of the ConfigMap the operator writes its status to. Fixed: the operator and kube9 clients
look it up by this name.
*/}}
{{- define "kube9-operator.statusConfigMapName" -}}
kube9-operator-status
{{- end }}
