import { TerraformStack, TerraformVariable } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { SessionStore, ingressAuthResponseHeaders } from '../../lib';
import { ChartSource } from '../../lib/platform/chart-source';
import { ingressNginxAccessLogFormat } from '../../lib/platform/access-log';
import { DEFAULT_GZIP_TYPES, IngressNginxController, type IngressNginxControllerProps } from '../../lib/platform/ingress-nginx-controller';
import { resourceAt, resourcesOf, chartFixture } from '../helpers';
import { platformErrors, releaseAttributes, releaseOf, synthPlatform, valuesOf } from './platform-helpers';

const synthController = (props: (stack: TerraformStack) => IngressNginxControllerProps = () => ({})) =>
  synthPlatform((stack) => new IngressNginxController(stack, 'ingress', props(stack)));
const configOf = (props: (stack: TerraformStack) => IngressNginxControllerProps = () => ({})) => valuesOf(synthController(props), 'ingress').controller.config;
const errors = (props: Record<string, unknown>) => platformErrors((stack) => new IngressNginxController(stack, 'ingress', props as any));

const DEFAULT_LOG_FORMAT =
  '{"time":"$time_iso8601","request_id":"$req_id","user":"$authHeader0","email":"$authHeader1","client_ip":"$remote_addr",' +
  '"method":"$request_method","host":"$host","path":"$uri","protocol":"$server_protocol","status":$status,"bytes_sent":$bytes_sent,' +
  '"request_length":$request_length,"request_time":$request_time,"upstream":"$proxy_upstream_name","upstream_addr":"$upstream_addr",' +
  '"upstream_status":"$upstream_status","upstream_response_time":"$upstream_response_time","user_agent":"$http_user_agent",' +
  '"namespace":"$namespace","ingress":"$ingress_name","service":"$service_name"}';

/** Fills the nginx variables of a log format as nginx would (escape=json) and parses the line. */
function logLine(format: string, values: Record<string, string>): Record<string, unknown> {
  return JSON.parse(format.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => values[name] ?? '1'));
}

describe('IngressNginxController', () => {
  describe('release', () => {
    it('installs chart ingress-nginx 4.15.1 from the project\'s Helm repository into ingress-nginx', () => {
      expect(releaseAttributes(synthController(), 'ingress')).toEqual({
        name: 'ingress-nginx',
        namespace: 'ingress-nginx',
        create_namespace: false,
        repository: 'https://kubernetes.github.io/ingress-nginx',
        chart: 'ingress-nginx',
        version: '4.15.1',
        wait: true,
        atomic: true,
        cleanup_on_fail: true,
        timeout: 600,
        max_history: 10,
        // The namespace and the identity-log placeholder Ingress come first (see below).
        depends_on: [
          expect.stringMatching(/^kubernetes_namespace_v1\.ingress_Namespace_[0-9A-F]{8}$/),
          expect.stringMatching(/^kubernetes_ingress_v1\.ingress_IdentityLogIngress_[0-9A-F]{8}$/),
        ],
      });
    });

    it('renders exactly these values by default', () => {
      expect(valuesOf(synthController(), 'ingress')).toEqual({
        controller: {
          replicaCount: 2,
          minAvailable: 1,
          allowSnippetAnnotations: false,
          ingressClass: 'nginx',
          ingressClassResource: { name: 'nginx', enabled: true, default: false, controllerValue: 'k8s.io/ingress-nginx' },
          config: {
            'allow-snippet-annotations': 'false',
            'annotations-risk-level': 'High',
            'ssl-protocols': 'TLSv1.2 TLSv1.3',
            hsts: 'true',
            'hsts-max-age': '31536000',
            'hsts-include-subdomains': 'true',
            'hsts-preload': 'false',
            'use-gzip': 'true',
            'gzip-level': '5',
            'gzip-min-length': '1024',
            'gzip-types': 'application/javascript application/json application/manifest+json application/xml image/svg+xml text/css text/javascript text/plain text/xml',
            'log-format-escape-json': 'true',
            'log-format-upstream': DEFAULT_LOG_FORMAT,
            'proxy-buffer-size': '32k',
            'large-client-header-buffers': '4 32k',
            'server-tokens': 'false',
          },
          metrics: { enabled: true, serviceMonitor: { enabled: false } },
          service: { type: 'LoadBalancer', externalTrafficPolicy: 'Local' },
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: 'kubernetes.io/hostname',
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: {
                matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/instance': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' },
              },
            },
          ],
        },
      });
    });

    it('has no set entries when no value is a Terraform reference', () => {
      const release = releaseOf(synthController(), 'ingress');
      expect(release).not.toHaveProperty('set');
      expect(release).not.toHaveProperty('set_list');
    });

    it('installs from a mirror given as an OCI reference or a local chart', () => {
      expect(
        releaseAttributes(synthController(() => ({ chart: ChartSource.oci('oci://registry.example.com/mirror/ingress-nginx', '4.15.1') })), 'ingress'),
      ).toMatchObject({ repository: 'oci://registry.example.com/mirror', chart: 'ingress-nginx', version: '4.15.1' });
      const chart = chartFixture('ingress-nginx');
      const local = releaseAttributes(synthController(() => ({ chart: ChartSource.localPath(chart) })), 'ingress');
      expect(local).toMatchObject({ chart });
      expect(local).not.toHaveProperty('repository');
      expect(local).not.toHaveProperty('version');
    });
  });

  describe('hardening', () => {
    it('turns snippet annotations off through the chart value and writes the ConfigMap key itself', () => {
      const json = synthController(() => ({ extraConfig: { 'proxy-body-size': '10m' } }));
      const values = valuesOf(json, 'ingress');
      expect(values.controller.allowSnippetAnnotations).toBe(false);
      // Chart 4.15.1 writes allow-snippet-annotations into the ConfigMap only when the value
      // is true, so "false" comes from controller.config (the deploy suite reads it back).
      expect(values.controller.config['allow-snippet-annotations']).toBe('false');
    });

    it('keeps annotations-risk-level at High, TLS at 1.2/1.3, HSTS on and the nginx version hidden', () => {
      expect(configOf()).toMatchObject({
        'annotations-risk-level': 'High',
        'ssl-protocols': 'TLSv1.2 TLSv1.3',
        hsts: 'true',
        'server-tokens': 'false',
      });
    });

    it('exposes the ConfigMap as the chart renders it, allow-snippet-annotations "false" included', () => {
      let controller!: IngressNginxController;
      synthPlatform((stack) => {
        controller = new IngressNginxController(stack, 'ingress');
      });
      expect(controller.controllerConfig['allow-snippet-annotations']).toBe('false');
      expect(controller.controllerConfig['annotations-risk-level']).toBe('High');
      expect(controller.ingressClassName).toBe('nginx');
      expect(controller.namespace).toBe('ingress-nginx');
      expect(controller.releaseName).toBe('ingress-nginx');
    });

    it('sizes the proxy and header buffers for the gateway\'s session store', () => {
      expect(configOf(() => ({ sessionStore: SessionStore.cookie() }))).toMatchObject({ 'proxy-buffer-size': '32k', 'large-client-header-buffers': '4 32k' });
      expect(configOf(() => ({ sessionStore: SessionStore.redis({ url: 'rediss://redis.backstage.svc:6379' }) }))).toMatchObject({
        'proxy-buffer-size': '16k',
        'large-client-header-buffers': '4 16k',
      });
      expect(configOf(() => ({ proxyBufferSize: '64k' }))).toMatchObject({ 'proxy-buffer-size': '64k', 'large-client-header-buffers': '4 64k' });
    });

    it('takes HSTS settings but cannot turn HSTS off', () => {
      expect(configOf(() => ({ hsts: { maxAgeSeconds: 63072000, includeSubdomains: true, preload: true } }))).toMatchObject({
        hsts: 'true',
        'hsts-max-age': '63072000',
        'hsts-include-subdomains': 'true',
        'hsts-preload': 'true',
      });
      expect(configOf(() => ({ hsts: { includeSubdomains: false } }))).toMatchObject({ hsts: 'true', 'hsts-include-subdomains': 'false' });
    });

    it('tunes gzip, or turns it off without leaving gzip settings behind', () => {
      expect(configOf(() => ({ gzip: { level: 6, minLength: 256, types: ['application/json', 'text/css'] } }))).toMatchObject({
        'use-gzip': 'true',
        'gzip-level': '6',
        'gzip-min-length': '256',
        'gzip-types': 'application/json text/css',
      });
      const off = configOf(() => ({ gzip: { enabled: false } }));
      expect(off['use-gzip']).toBe('false');
      expect(Object.keys(off).filter((k) => k.startsWith('gzip-'))).toEqual([]);
      expect(DEFAULT_GZIP_TYPES).toContain('application/json');
    });
  });

  describe('access log', () => {
    it('is one JSON object per request, with the signed-in user, the e-mail and the request id', () => {
      const config = configOf();
      expect(config['log-format-escape-json']).toBe('true');
      const line = logLine(config['log-format-upstream'], {
        time_iso8601: '2026-11-28T10:00:00+00:00',
        req_id: '5f1c0c8e9a7b4e1d',
        authHeader0: 'alice',
        authHeader1: 'alice@example.com',
        status: '200',
        request_time: '0.012',
      });
      expect(line).toMatchObject({ time: '2026-11-28T10:00:00+00:00', request_id: '5f1c0c8e9a7b4e1d', user: 'alice', email: 'alice@example.com', status: 200, request_time: 0.012 });
      expect(Object.keys(line)).toEqual([
        'time', 'request_id', 'user', 'email', 'client_ip', 'method', 'host', 'path', 'protocol', 'status', 'bytes_sent',
        'request_length', 'request_time', 'upstream', 'upstream_addr', 'upstream_status', 'upstream_response_time',
        'user_agent', 'namespace', 'ingress', 'service',
      ]);
    });

    it('reads the user and e-mail from the variables ingress-nginx fills from the auth answer, in header-contract order', () => {
      // ingress-nginx: auth_request_set $authHeader<i> $upstream_http_<header i of auth-response-headers>.
      const headers = ingressAuthResponseHeaders().split(',');
      expect(DEFAULT_LOG_FORMAT).toContain(`"user":"$authHeader${headers.indexOf('X-Forwarded-User')}"`);
      expect(DEFAULT_LOG_FORMAT).toContain(`"email":"$authHeader${headers.indexOf('X-Forwarded-Email')}"`);
      // Never the ID token, never the session cookie, never the query string.
      expect(DEFAULT_LOG_FORMAT).not.toContain(`$authHeader${headers.indexOf('X-OAUTH2-PROXY-ID-TOKEN')}`);
      expect(DEFAULT_LOG_FORMAT).not.toMatch(/\$cookie_|\$args|\$query_string|\$request_uri|\$http_authorization/);
      expect(DEFAULT_LOG_FORMAT).not.toContain("'");
    });

    it('declares the identity variables before the controller starts, with a placeholder Ingress on an .invalid host', () => {
      const json = synthController();
      const namespace = resourceAt(json, 'kubernetes_namespace_v1', 'ingress/Namespace');
      expect(namespace.metadata.name).toBe('ingress-nginx');
      const placeholder = resourceAt(json, 'kubernetes_ingress_v1', 'ingress/IdentityLogIngress');
      expect(placeholder.metadata.name).toBe('ingress-nginx-identity-log');
      expect(placeholder.metadata.namespace).toMatch(/^\$\{kubernetes_namespace_v1\.ingress_Namespace_[0-9A-F]{8}\.metadata\[0\]\.name\}$/);
      expect(placeholder.metadata.annotations).toEqual({
        'nginx.ingress.kubernetes.io/auth-url': 'http://127.0.0.1:9/identity-log',
        // The same list, in the same order, as the portal's Ingress: the same $authHeader<N>.
        'nginx.ingress.kubernetes.io/auth-response-headers': ingressAuthResponseHeaders(),
      });
      expect(placeholder.spec).toEqual({
        ingress_class_name: 'nginx',
        // TLS with the controller's default certificate, so the TLS guardrail holds.
        tls: [{ hosts: ['identity-log.invalid'] }],
        rule: [
          {
            host: 'identity-log.invalid',
            http: { path: [{ path: '/', path_type: 'Exact', backend: { service: { name: 'ingress-nginx-identity-log', port: { number: 80 } } } }] },
          },
        ],
      });
      // No snippet, nothing but the two auth annotations.
      expect(Object.keys(placeholder.metadata.annotations).some((k) => k.endsWith('-snippet'))).toBe(false);
    });

    it('puts the placeholder into an existing namespace without creating it, and follows the class name', () => {
      const json = synthController(() => ({ createNamespace: false, namespace: 'edge', ingressClassName: 'public' }));
      expect(resourcesOf(json, 'kubernetes_namespace_v1')).toEqual({});
      const placeholder = resourceAt(json, 'kubernetes_ingress_v1', 'ingress/IdentityLogIngress');
      expect(placeholder.metadata.namespace).toBe('edge');
      expect(placeholder.spec.ingress_class_name).toBe('public');
      expect(releaseOf(json, 'ingress').depends_on).toEqual([expect.stringMatching(/^kubernetes_ingress_v1\.ingress_IdentityLogIngress_/)]);
    });

    it('creates no placeholder when the identity is left out of the log (the namespace is still the stack\'s)', () => {
      const json = synthController(() => ({ accessLog: { identity: false } }));
      expect(resourcesOf(json, 'kubernetes_ingress_v1')).toEqual({});
      expect(Object.keys(resourcesOf(json, 'kubernetes_namespace_v1'))).toEqual([expect.stringMatching(/^ingress_Namespace_[0-9A-F]{8}$/)]);
      expect(releaseOf(json, 'ingress').depends_on).toEqual([expect.stringMatching(/^kubernetes_namespace_v1\.ingress_Namespace_[0-9A-F]{8}$/)]);
      expect(releaseOf(json, 'ingress').create_namespace).toBe(false);
    });

    it('leaves the identity out when asked, and adds extra fields as strings', () => {
      const format = configOf(() => ({ accessLog: { identity: false, extraFields: { trace_id: '$opentelemetry_trace_id' } } }))['log-format-upstream'];
      expect(format).not.toContain('$authHeader');
      expect(format).toBe(ingressNginxAccessLogFormat({ identity: false, extraFields: { trace_id: '$opentelemetry_trace_id' } }));
      expect(format.endsWith(',"trace_id":"$opentelemetry_trace_id"}')).toBe(true);
      expect(Object.keys(logLine(format, {}))).not.toContain('user');
    });
  });

  describe('class, replicas, service and metrics', () => {
    it('serves a named, optionally default IngressClass with its own controller value', () => {
      const values = valuesOf(synthController(() => ({ ingressClassName: 'internal', defaultIngressClass: true })), 'ingress');
      expect(values.controller.ingressClass).toBe('internal');
      expect(values.controller.ingressClassResource).toEqual({ name: 'internal', enabled: true, default: true, controllerValue: 'k8s.io/ingress-nginx-internal' });
    });

    it('runs the given replicas and keeps one available', () => {
      const values = valuesOf(synthController(() => ({ replicas: 3 })), 'ingress');
      expect(values.controller.replicaCount).toBe(3);
      expect(values.controller.minAvailable).toBe(1);
    });

    it('puts load-balancer annotations, traffic policy and source ranges on the Service', () => {
      const values = valuesOf(
        synthController(() => ({
          service: {
            annotations: { 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal' },
            externalTrafficPolicy: 'Cluster',
            loadBalancerSourceRanges: ['10.0.0.0/8'],
          },
        })),
        'ingress',
      );
      expect(values.controller.service).toEqual({
        type: 'LoadBalancer',
        externalTrafficPolicy: 'Cluster',
        annotations: { 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal' },
        loadBalancerSourceRanges: ['10.0.0.0/8'],
      });
      expect(valuesOf(synthController(() => ({ service: { type: 'ClusterIP' } })), 'ingress').controller.service).toEqual({ type: 'ClusterIP' });
    });

    it('passes a load-balancer annotation that is a Terraform reference as a set entry', () => {
      const json = synthController((stack) => ({
        service: { annotations: { 'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': new TerraformVariable(stack, 'cert_arn', { type: 'string' }).stringValue } },
      }));
      expect(releaseOf(json, 'ingress').set).toEqual([
        {
          name: 'controller.service.annotations.service\\.beta\\.kubernetes\\.io/aws-load-balancer-ssl-cert',
          value: '${replace(replace(var.cert_arn, "\\\\", "\\\\\\\\"), ",", "\\\\,")}',
          type: 'string',
        },
      ]);
      expect(valuesOf(json, 'ingress').controller.service.annotations).toEqual({});
    });

    it('creates a ServiceMonitor only when asked and sets ServiceAccount annotations and resources', () => {
      const values = valuesOf(
        synthController(() => ({ serviceMonitor: true, serviceAccountAnnotations: { team: 'platform' }, resources: { limits: { memory: '1Gi' } } })),
        'ingress',
      );
      expect(values.controller.metrics).toEqual({ enabled: true, serviceMonitor: { enabled: true } });
      expect(values.serviceAccount).toEqual({ annotations: { team: 'platform' } });
      expect(values.controller.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '1Gi' } });
    });

    it('names the controller pods for NetworkPolicies', () => {
      let controller!: IngressNginxController;
      synthPlatform((stack) => {
        controller = new IngressNginxController(stack, 'ingress', { namespace: 'edge', releaseName: 'edge-nginx' });
      });
      expect(controller.peer).toEqual({
        namespaceLabels: { 'kubernetes.io/metadata.name': 'edge' },
        podLabels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/instance': 'edge-nginx', 'app.kubernetes.io/component': 'controller' },
      });
    });

    it('merges extra ConfigMap settings', () => {
      expect(configOf(() => ({ extraConfig: { 'proxy-body-size': '10m', 'use-forwarded-headers': 'true' } }))).toMatchObject({
        'proxy-body-size': '10m',
        'use-forwarded-headers': 'true',
        'annotations-risk-level': 'High',
      });
    });
  });

  describe('validation', () => {
    it('refuses snippets, the snippet switch, a lower risk level and managed keys in extraConfig, in one error', () => {
      expect(
        errors({
          extraConfig: {
            'server-snippet': 'location /x {}',
            'allow-snippet-annotations': 'true',
            'annotations-risk-level': 'Critical',
            'log-format-upstream': '$remote_addr',
            'ssl-protocols': 'TLSv1 TLSv1.1',
            Bad_Key: 'x',
          },
        }),
      ).toEqual([
        '[test/ingress] extraConfig.server-snippet: is a snippet, which injects raw nginx configuration, got "location /x {}". Snippets are refused since the IngressNightmare CVEs (2025); use the ConfigMap keys for what you need.',
        '[test/ingress] extraConfig.allow-snippet-annotations: stays "false", got "true". Snippet annotations let anyone who can create an Ingress inject nginx configuration (IngressNightmare, 2025).',
        '[test/ingress] extraConfig.annotations-risk-level: stays "High", got "Critical". It admits the auth annotations the portal needs (High) and refuses Critical ones (snippets); lower levels break auth-url.',
        '[test/ingress] extraConfig.log-format-upstream: is managed by IngressNginxController, got "$remote_addr". Set it through the "accessLog" prop.',
        '[test/ingress] extraConfig.ssl-protocols: is managed by IngressNginxController, got "TLSv1 TLSv1.1". Set it through nothing: TLS 1.2 and 1.3 only.',
        '[test/ingress] extraConfig.Bad_Key: is not an ingress-nginx ConfigMap key, got "x". Keys are lower-case words joined by "-", e.g. "proxy-body-size".',
      ]);
    });

    it('refuses a proxy buffer size next to a session store, and a bad size', () => {
      expect(errors({ proxyBufferSize: '16k', sessionStore: SessionStore.cookie() })).toEqual([
        '[test/ingress] proxyBufferSize: conflicts with sessionStore, got "16k". Give the session store (the size follows it) or an explicit proxyBufferSize, not both.',
      ]);
      expect(errors({ proxyBufferSize: '16KB', sessionStore: 'cookie' })).toEqual([
        '[test/ingress] sessionStore: must be a SessionStore, got "cookie". Use SessionStore.cookie() or SessionStore.redis({...}), the same store as the gateway.',
        '[test/ingress] proxyBufferSize: must be a size such as "16k", got "16KB". Use a number followed by "k" or "m".',
      ]);
    });

    it('refuses a short HSTS max age and preload without subdomains', () => {
      expect(errors({ hsts: { maxAgeSeconds: 3600 } })).toEqual([
        '[test/ingress] hsts.maxAgeSeconds: must be at least 86400 (one day), got 3600. Browsers forget a short HSTS policy between visits; use 31536000 (one year).',
      ]);
      expect(errors({ hsts: { preload: true, includeSubdomains: false } })).toEqual([
        '[test/ingress] hsts.preload: needs includeSubdomains and a max age of at least 31536000, got true. Browser preload lists only accept such policies: keep includeSubdomains on and maxAgeSeconds at a year or more.',
      ]);
    });

    it('refuses a gzip level out of range, a bad MIME type and an empty type list', () => {
      expect(errors({ gzip: { level: 10, types: ['json'] } })).toEqual([
        '[test/ingress] gzip.level: must be from 1 to 9, got 10. Use 1 for speed, 9 for size; 5 is a good middle.',
        '[test/ingress] gzip.types[0]: must be a MIME type, got "json". Write it like "application/json", without parameters.',
      ]);
      expect(errors({ gzip: { types: [] } })).toEqual([
        '[test/ingress] gzip.types: must list at least one MIME type, got []. Leave it out for the defaults, or set enabled: false.',
      ]);
    });

    it('refuses access-log fields that would break the JSON line or shadow a built-in field', () => {
      expect(errors({ accessLog: { extraFields: { trace_id: '"$x"', status: '$status', 'Trace-Id': '$x' } } })).toEqual([
        '[test/ingress] accessLog.extraFields.trace_id: must be a single nginx variable, got "\\"$x\\"". Write it like "$opentelemetry_trace_id"; literal text and quotes would break the JSON line.',
        '[test/ingress] accessLog.extraFields.status: is already a field of the access log, got "status". Choose another name; the built-in fields are listed in the IngressNginxController docs.',
        '[test/ingress] accessLog.extraFields.Trace-Id: must be a field name of lower-case letters, digits and "_", got "Trace-Id". Use a name such as "trace_id".',
      ]);
    });

    it('refuses service settings that do not fit the Service type', () => {
      expect(errors({ service: { type: 'ClusterIP', externalTrafficPolicy: 'Local', loadBalancerSourceRanges: ['10.0.0.0/8'] } })).toEqual([
        '[test/ingress] service.externalTrafficPolicy: only applies to LoadBalancer and NodePort Services, got "Local". Remove it, or change the type.',
        '[test/ingress] service.loadBalancerSourceRanges: only applies to LoadBalancer Services, got ["10.0.0.0/8"]. Remove it, or use allowSourceRanges on the NginxIngress.',
      ]);
      expect(errors({ service: { type: 'Ingress', loadBalancerSourceRanges: ['10.0.0.300/8'], annotations: { 'bad key!': 'x' } } })).toEqual([
        '[test/ingress] service.type: must be "LoadBalancer", "NodePort" or "ClusterIP", got "Ingress". Most clusters want "LoadBalancer".',
        '[test/ingress] service.annotations.bad key!: is not a valid annotation key, got "bad key!". Use an optional DNS prefix and "/" followed by a name of letters, digits, "-", "_" and ".", e.g. "eks.amazonaws.com/role-arn".',
        '[test/ingress] service.loadBalancerSourceRanges[0]: must be a CIDR range, got "10.0.0.300/8". Use a network such as "203.0.113.0/24" or "2001:db8::/32".',
      ]);
    });

    it('refuses a bad class name, replica count and chart version together', () => {
      expect(errors({ ingressClassName: 'Nginx', replicas: 0, chart: ChartSource.repository('https://kubernetes.github.io/ingress-nginx', 'ingress-nginx', '4.x') })).toEqual([
        '[test/ingress] ingressClassName: must be a valid Kubernetes name (RFC 1123 label), got "Nginx". Use at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit.',
        '[test/ingress] replicas: replicas must be at least 1, got 0. Use a value of 1 or more.',
        '[test/ingress] chart.version: must be an exact chart version, got "4.x". Pin an exact chart version such as "4.15.1" (cert-manager charts are versioned "v1.19.6"); ranges and "latest" let two environments install different code.',
      ]);
    });
  });
});
