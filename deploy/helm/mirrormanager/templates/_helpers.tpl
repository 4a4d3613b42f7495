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

{{/* Shared data volume (cache, netblocks, crawler logs). */}}
{{- define "mm.sharedVolume" -}}
- name: shared
{{- if .Values.sharedData.existingClaim }}
  persistentVolumeClaim:
    claimName: {{ .Values.sharedData.existingClaim }}
{{- else }}
  emptyDir: {}
{{- end }}
- name: tmp
  emptyDir: {}
{{- end -}}

{{- define "mm.sharedMount" -}}
- name: shared
  mountPath: {{ .Values.sharedData.mountPath }}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/* Environment of batch workers on top of mm.env. */}}
{{- define "mm.workerEnv" -}}
{{ include "mm.env" . }}
- name: MM2_MM_LOG_DIR
  value: {{ .Values.sharedData.crawlerLogDir | quote }}
{{- if .Values.pushgatewayUrl }}
- name: MM2_PUSHGATEWAY_URL
  value: {{ .Values.pushgatewayUrl | quote }}
{{- end }}
{{- end -}}

{{/*
A CronJob running one MirrorManager binary. Call with
  (dict "ctx" $ "name" "umdl" "schedule" "..." "args" (list ...) "resources" ... "parallelism" 1
        "deadline" 3600 "extraEnv" (list ...) "extraVolumes" (list) "extraMounts" (list))
*/}}
{{- define "mm.cronjob" -}}
{{- $ := .ctx -}}
apiVersion: batch/v1
kind: CronJob
metadata:
  name: {{ include "mm.fullname" $ }}-{{ .name }}
  labels: {{- include "mm.labels" $ | nindent 4 }}
    app.kubernetes.io/component: {{ .name }}
spec:
  schedule: {{ .schedule | quote }}
  concurrencyPolicy: Forbid
  successfulJobsHistoryLimit: 3
  failedJobsHistoryLimit: 3
  jobTemplate:
    spec:
      backoffLimit: 0
      parallelism: {{ .parallelism | default 1 }}
      {{- with .deadline }}
      activeDeadlineSeconds: {{ . }}
      {{- end }}
      template:
        metadata:
          labels: {{- include "mm.selector" $ | nindent 12 }}
            app.kubernetes.io/component: {{ .name }}
        spec:
          restartPolicy: Never
          terminationGracePeriodSeconds: 30
          {{- with $.Values.imagePullSecrets }}
          imagePullSecrets: {{- toYaml . | nindent 12 }}
          {{- end }}
          securityContext: {{- toYaml $.Values.podSecurityContext | nindent 12 }}
          containers:
            - name: {{ .name }}
              image: {{ include "mm.image" $ }}
              imagePullPolicy: {{ $.Values.image.pullPolicy }}
              args: {{- toYaml .args | nindent 16 }}
              env:
                {{- include "mm.workerEnv" $ | nindent 16 }}
                {{- with .extraEnv }}
                {{- toYaml . | nindent 16 }}
                {{- end }}
              resources: {{- toYaml .resources | nindent 16 }}
              securityContext: {{- toYaml $.Values.securityContext | nindent 16 }}
              volumeMounts:
                {{- include "mm.configMount" $ | nindent 16 }}
                {{- include "mm.sharedMount" $ | nindent 16 }}
                {{- with .extraMounts }}
                {{- toYaml . | nindent 16 }}
                {{- end }}
          volumes:
            {{- include "mm.configVolume" $ | nindent 12 }}
            {{- include "mm.sharedVolume" $ | nindent 12 }}
            {{- with .extraVolumes }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
{{- end -}}
