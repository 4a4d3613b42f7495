{{- define "mm.fullname" -}}
{{- printf "%s-mirrormanager" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "mm.labels" -}}
app.kubernetes.io/name: mirrormanager
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "mm.selector" -}}
app.kubernetes.io/name: mirrormanager
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "mm.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "mm.dbSecret" -}}
{{- if .Values.database.existingSecret -}}{{ .Values.database.existingSecret }}{{- else -}}{{ include "mm.fullname" . }}-db{{- end -}}
{{- end -}}

{{/* Environment every MirrorManager container gets: config file, database URI, catalog address. */}}
{{- define "mm.env" -}}
- name: MM2_CONFIG
  value: /etc/mirrormanager/mirrormanager2.cfg
- name: MM2_CATALOG_ADDRESS
  value: {{ printf "%s-catalog:%d" (include "mm.fullname" .) (int .Values.catalog.grpcPort) | quote }}
{{- end -}}

{{- define "mm.configVolume" -}}
- name: config
  configMap:
    name: {{ include "mm.fullname" . }}-config
{{- end -}}

{{- define "mm.configMount" -}}
- name: config
  mountPath: /etc/mirrormanager
  readOnly: true
{{- end -}}
