{{/* Names, labels and the RBAC rules shared by the chart's templates. */}}

{{/* The release's base name: the release name, with "-kubedbt" unless it already says kubedbt. */}}
{{- define "kubedbt.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "kubedbt.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "kubedbt.operatorSelector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "kubedbt.operatorServiceAccount" -}}
{{- .Values.operator.serviceAccount.name | default (printf "%s-operator" (include "kubedbt.fullname" .)) -}}
{{- end -}}

{{- define "kubedbt.operatorImage" -}}
{{- printf "%s:%s" .Values.operator.image.repository (.Values.operator.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{- define "kubedbt.runnerImage" -}}
{{- printf "%s:%s" .Values.runner.image.repository (.Values.runner.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{/* Namespaces that get the runner ServiceAccount and RoleBinding. */}}
{{- define "kubedbt.runnerNamespaces" -}}
{{- $namespaces := .Values.runner.namespaces | default .Values.watchNamespaces | default (list .Release.Namespace) -}}
{{- toJson (uniq $namespaces) -}}
{{- end -}}

{{/*
The object of kind $kind named $name in a file of files/ (a copy of deploy/, kept in step by
scripts/generate.sh), as JSON. The chart's RBAC and admission policy are those of deploy/.
Call: include "kubedbt.deployObject" (list $ "files/rbac/operator.yaml" "ClusterRole" "kubedbt-operator")
*/}}
{{- define "kubedbt.deployObject" -}}
{{- $root := index . 0 -}}
{{- $file := index . 1 -}}
{{- $kind := index . 2 -}}
{{- $name := index . 3 -}}
{{- $found := dict -}}
{{- range $doc := splitList "\n---" ($root.Files.Get $file) -}}
{{- $object := fromYaml $doc -}}
{{- if and (eq (get $object "kind") $kind) (eq (get (get $object "metadata" | default dict) "name") $name) -}}
{{- $found = $object -}}
{{- end -}}
{{- end -}}
{{- if not $found -}}
{{- fail (printf "%s has no %s named %s (the chart's copy of deploy/ is stale: run scripts/generate.sh)" $file $kind $name) -}}
{{- end -}}
{{- toJson $found -}}
{{- end -}}
