import { TerraformStack, TerraformVariable } from 'cdktf';
import { describe, expect, it } from 'vitest';

import {
  ChartSource,
  DEFAULT_GZIP_TYPES,
  ingressAuthResponseHeaders,
  ingressNginxAccessLogFormat,
  IngressNginxController,
  type IngressNginxControllerProps,
  SessionStore,
} from '../../lib';
import { chartFixture, expectProblems, resourceAt, resourcesOf } from '../helpers';
import { refusedBy, releaseAttributes, releaseOf, synthPlatform, valuesOf } from './platform-helpers';

const synthController = (props: (stack: TerraformStack) => IngressNginxControllerProps = () => ({})) =>
  synthPlatform((stack) => new IngressNginxController(stack, 'ingress', props(stack)));
const configOf = (props: (stack: TerraformStack) => IngressNginxControllerProps = () => ({})) =>
  valuesOf(synthController(props), 'ingress').controller.config;
const refused = (props: Record<string, unknown>) =>
  refusedBy((stack) => new IngressNginxController(stack, 'ingress', props as any));

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
    it("installs chart ingress-nginx 4.15.1 from the project's Helm repository into ingress-nginx", () => {
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
          ingressClassResource: {
            name: 'nginx',
            enabled: true,
            default: false,
            controllerValue: 'k8s.io/ingress-nginx',
          },
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
            'gzip-types':
              'application/javascript application/json application/manifest+json application/xml image/svg+xml text/css text/javascript text/plain text/xml',
            'log-format-escape-json': 'true',
            'log-format-upstream': DEFAULT_LOG_FORMAT,
            'proxy-buffer-size': '32k',
            'large-client-header-buffers': '4 32k',
            'server-tokens': 'false',
            'global-allowed-response-headers': 'WWW-Authenticate',
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
                matchLabels: {
                  'app.kubernetes.io/name': 'ingress-nginx',
                  'app.kubernetes.io/instance': 'ingress-nginx',
                  'app.kubernetes.io/component': 'controller',
                },
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
        releaseAttributes(
          synthController(() => ({
            chart: ChartSource.oci('oci://registry.example.com/mirror/ingress-nginx', '4.15.1'),
          })),
          'ingress',
        ),
      ).toMatchObject({
        repository: 'oci://registry.example.com/mirror',
        chart: 'ingress-nginx',
        version: '4.15.1',
      });
      const chart = chartFixture('ingress-nginx');
      const local = releaseAttributes(
        synthController(() => ({ chart: ChartSource.localPath(chart) })),
        'ingress',
      );
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

    it("allows the machine host's WWW-Authenticate challenge (custom-headers), beside the user's own allowed headers", () => {
      expect(configOf()['global-allowed-response-headers']).toBe('WWW-Authenticate');
      const json = synthController(() => ({
        extraConfig: { 'global-allowed-response-headers': 'X-Request-Id, Content-Security-Policy' },
      }));
      expect(valuesOf(json, 'ingress').controller.config['global-allowed-response-headers']).toBe(
        'X-Request-Id,Content-Security-Policy,WWW-Authenticate',
      );
      // The controller compares names case-sensitively: another spelling does not count.
      const already = synthController(() => ({
        extraConfig: { 'global-allowed-response-headers': 'WWW-Authenticate,www-authenticate' },
      }));
      expect(valuesOf(already, 'ingress').controller.config['global-allowed-response-headers']).toBe(
        'WWW-Authenticate,www-authenticate',
      );
      const other = synthController(() => ({
        extraConfig: { 'global-allowed-response-headers': 'www-authenticate' },
      }));
      expect(valuesOf(other, 'ingress').controller.config['global-allowed-response-headers']).toBe(
        'www-authenticate,WWW-Authenticate',
      );
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

    it("sizes the proxy and header buffers for the gateway's session store", () => {
      expect(configOf(() => ({ sessionStore: SessionStore.cookie() }))).toMatchObject({
        'proxy-buffer-size': '32k',
        'large-client-header-buffers': '4 32k',
      });
      expect(
        configOf(() => ({ sessionStore: SessionStore.redis({ url: 'rediss://redis.backstage.svc:6379' }) })),
      ).toMatchObject({
        'proxy-buffer-size': '16k',
        'large-client-header-buffers': '4 16k',
      });
      expect(configOf(() => ({ proxyBufferSize: '64k' }))).toMatchObject({
        'proxy-buffer-size': '64k',
        'large-client-header-buffers': '4 64k',
      });
    });

    it('takes HSTS settings but cannot turn HSTS off', () => {
      expect(
        configOf(() => ({ hsts: { maxAgeSeconds: 63072000, includeSubdomains: true, preload: true } })),
      ).toMatchObject({
        hsts: 'true',
        'hsts-max-age': '63072000',
        'hsts-include-subdomains': 'true',
        'hsts-preload': 'true',
      });
      expect(configOf(() => ({ hsts: { includeSubdomains: false } }))).toMatchObject({
        hsts: 'true',
        'hsts-include-subdomains': 'false',
      });
    });

    it('tunes gzip, or turns it off without leaving gzip settings behind', () => {
      expect(
        configOf(() => ({ gzip: { level: 6, minLength: 256, types: ['application/json', 'text/css'] } })),
      ).toMatchObject({
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
      expect(line).toMatchObject({
        time: '2026-11-28T10:00:00+00:00',
        request_id: '5f1c0c8e9a7b4e1d',
        user: 'alice',
        email: 'alice@example.com',
        status: 200,
        request_time: 0.012,
      });
      expect(Object.keys(line)).toEqual([
        'time',
        'request_id',
        'user',
        'email',
        'client_ip',
        'method',
        'host',
        'path',
        'protocol',
        'status',
        'bytes_sent',
        'request_length',
        'request_time',
        'upstream',
        'upstream_addr',
        'upstream_status',
        'upstream_response_time',
        'user_agent',
        'namespace',
        'ingress',
        'service',
      ]);
    });

    it('reads the user and e-mail from the variables ingress-nginx fills from the auth answer, in header-contract order', () => {
      // ingress-nginx: auth_request_set $authHeader<i> $upstream_http_<header i of auth-response-headers>.
      const headers = ingressAuthResponseHeaders().split(',');
      expect(DEFAULT_LOG_FORMAT).toContain(`"user":"$authHeader${headers.indexOf('X-Forwarded-User')}"`);
      expect(DEFAULT_LOG_FORMAT).toContain(`"email":"$authHeader${headers.indexOf('X-Forwarded-Email')}"`);
      // Never the ID token, never the session cookie, never the query string.
      expect(DEFAULT_LOG_FORMAT).not.toContain(`$authHeader${headers.indexOf('X-OAUTH2-PROXY-ID-TOKEN')}`);
      expect(DEFAULT_LOG_FORMAT).not.toMatch(
        /\$cookie_|\$args|\$query_string|\$request_uri|\$http_authorization/,
      );
      expect(DEFAULT_LOG_FORMAT).not.toContain("'");
    });

    it('declares the identity variables before the controller starts, with a placeholder Ingress on an .invalid host', () => {
      const json = synthController();
      const namespace = resourceAt(json, 'kubernetes_namespace_v1', 'ingress/Namespace');
      expect(namespace.metadata.name).toBe('ingress-nginx');
      const placeholder = resourceAt(json, 'kubernetes_ingress_v1', 'ingress/IdentityLogIngress');
      expect(placeholder.metadata.name).toBe('ingress-nginx-identity-log');
      expect(placeholder.metadata.namespace).toMatch(
        /^\$\{kubernetes_namespace_v1\.ingress_Namespace_[0-9A-F]{8}\.metadata\[0\]\.name\}$/,
      );
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
            http: {
              path: [
                {
                  path: '/',
                  path_type: 'Exact',
                  backend: { service: { name: 'ingress-nginx-identity-log', port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      });
      // No snippet, nothing but the two auth annotations.
      expect(Object.keys(placeholder.metadata.annotations).some((k) => k.endsWith('-snippet'))).toBe(false);
    });

    it('puts the placeholder into an existing namespace without creating it, and follows the class name', () => {
      const json = synthController(() => ({
        createNamespace: false,
        namespace: 'edge',
        ingressClassName: 'public',
      }));
      expect(resourcesOf(json, 'kubernetes_namespace_v1')).toEqual({});
      const placeholder = resourceAt(json, 'kubernetes_ingress_v1', 'ingress/IdentityLogIngress');
      expect(placeholder.metadata.namespace).toBe('edge');
      expect(placeholder.spec.ingress_class_name).toBe('public');
      expect(releaseOf(json, 'ingress').depends_on).toEqual([
        expect.stringMatching(/^kubernetes_ingress_v1\.ingress_IdentityLogIngress_/),
      ]);
    });

    it("creates no placeholder when the identity is left out of the log (the namespace is still the stack's)", () => {
      const json = synthController(() => ({ accessLog: { identity: false } }));
      expect(resourcesOf(json, 'kubernetes_ingress_v1')).toEqual({});
      expect(Object.keys(resourcesOf(json, 'kubernetes_namespace_v1'))).toEqual([
        expect.stringMatching(/^ingress_Namespace_[0-9A-F]{8}$/),
      ]);
      expect(releaseOf(json, 'ingress').depends_on).toEqual([
        expect.stringMatching(/^kubernetes_namespace_v1\.ingress_Namespace_[0-9A-F]{8}$/),
      ]);
      expect(releaseOf(json, 'ingress').create_namespace).toBe(false);
    });

    it('leaves the identity out when asked, and adds extra fields as strings', () => {
      const format = configOf(() => ({
        accessLog: { identity: false, extraFields: { trace_id: '$opentelemetry_trace_id' } },
      }))['log-format-upstream'];
      expect(format).not.toContain('$authHeader');
      expect(format).toBe(
        ingressNginxAccessLogFormat({
          identity: false,
          extraFields: { trace_id: '$opentelemetry_trace_id' },
        }),
      );
      expect(format.endsWith(',"trace_id":"$opentelemetry_trace_id"}')).toBe(true);
      expect(Object.keys(logLine(format, {}))).not.toContain('user');
    });
  });

  describe('class, replicas, service and metrics', () => {
    it('serves a named, optionally default IngressClass with its own controller value', () => {
      const values = valuesOf(
        synthController(() => ({ ingressClassName: 'internal', defaultIngressClass: true })),
        'ingress',
      );
      expect(values.controller.ingressClass).toBe('internal');
      expect(values.controller.ingressClassResource).toEqual({
        name: 'internal',
        enabled: true,
        default: true,
        controllerValue: 'k8s.io/ingress-nginx-internal',
      });
    });

    it('runs the given replicas and keeps one available', () => {
      const values = valuesOf(
        synthController(() => ({ replicas: 3 })),
        'ingress',
      );
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
      expect(
        valuesOf(
          synthController(() => ({ service: { type: 'ClusterIP' } })),
          'ingress',
        ).controller.service,
      ).toEqual({ type: 'ClusterIP' });
    });

    it('passes a load-balancer annotation that is a Terraform reference as a set entry', () => {
      const json = synthController((stack) => ({
        service: {
          annotations: {
            'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': new TerraformVariable(
              stack,
              'cert_arn',
              { type: 'string' },
            ).stringValue,
          },
        },
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
        synthController(() => ({
          serviceMonitor: true,
          serviceAccountAnnotations: { team: 'platform' },
          resources: { limits: { memory: '1Gi' } },
        })),
        'ingress',
      );
      expect(values.controller.metrics).toEqual({ enabled: true, serviceMonitor: { enabled: true } });
      expect(values.serviceAccount).toEqual({ annotations: { team: 'platform' } });
      expect(values.controller.resources).toEqual({
        requests: { cpu: '100m', memory: '128Mi' },
        limits: { cpu: '1', memory: '1Gi' },
      });
    });

    it('names the controller pods for NetworkPolicies', () => {
      let controller!: IngressNginxController;
      synthPlatform((stack) => {
        controller = new IngressNginxController(stack, 'ingress', {
          namespace: 'edge',
          releaseName: 'edge-nginx',
        });
      });
      expect(controller.peer).toEqual({
        namespaceLabels: { 'kubernetes.io/metadata.name': 'edge' },
        podLabels: {
          'app.kubernetes.io/name': 'ingress-nginx',
          'app.kubernetes.io/instance': 'edge-nginx',
          'app.kubernetes.io/component': 'controller',
        },
      });
    });

    it('merges extra ConfigMap settings', () => {
      expect(
        configOf(() => ({ extraConfig: { 'proxy-body-size': '10m', 'use-forwarded-headers': 'true' } })),
      ).toMatchObject({
        'proxy-body-size': '10m',
        'use-forwarded-headers': 'true',
        'annotations-risk-level': 'High',
      });
    });
  });

  describe('validation', () => {
    it('refuses snippets, the snippet switch, a lower risk level and managed keys in extraConfig, in one error', () => {
      expectProblems(
        refused({
          extraConfig: {
            'server-snippet': 'location /x {}',
            'allow-snippet-annotations': 'true',
            'annotations-risk-level': 'Critical',
            'log-format-upstream': '$remote_addr',
            'ssl-protocols': 'TLSv1 TLSv1.1',
            Bad_Key: 'x',
          },
        }),
        [
          {
            where: 'test/ingress',
            path: 'extraConfig.server-snippet',
            says: ['is a snippet, which injects raw nginx configuration', 'got "location /x {}"'],
          },
          {
            where: 'test/ingress',
            path: 'extraConfig.allow-snippet-annotations',
            says: ['stays "false"', 'got "true"'],
          },
          {
            where: 'test/ingress',
            path: 'extraConfig.annotations-risk-level',
            says: ['stays "High"', 'got "Critical"'],
          },
          {
            where: 'test/ingress',
            path: 'extraConfig.log-format-upstream',
            says: ['is managed by IngressNginxController', 'got "$remote_addr"'],
          },
          {
            where: 'test/ingress',
            path: 'extraConfig.ssl-protocols',
            says: ['is managed by IngressNginxController', 'got "TLSv1 TLSv1.1"'],
          },
          {
            where: 'test/ingress',
            path: 'extraConfig.Bad_Key',
            says: ['is not an ingress-nginx ConfigMap key', 'got "x"'],
          },
        ],
      );
    });

    it('refuses a proxy buffer size next to a session store, and a bad size', () => {
      expectProblems(refused({ proxyBufferSize: '16k', sessionStore: SessionStore.cookie() }), [
        {
          where: 'test/ingress',
          path: 'proxyBufferSize',
          says: ['conflicts with sessionStore', 'got "16k"'],
        },
      ]);
      expectProblems(refused({ proxyBufferSize: '16KB', sessionStore: 'cookie' }), [
        { where: 'test/ingress', path: 'sessionStore', says: ['must be a SessionStore', 'got "cookie"'] },
        {
          where: 'test/ingress',
          path: 'proxyBufferSize',
          says: ['must be a size such as "16k"', 'got "16KB"'],
        },
      ]);
    });

    it('refuses a short HSTS max age and preload without subdomains', () => {
      expectProblems(refused({ hsts: { maxAgeSeconds: 3600 } }), [
        {
          where: 'test/ingress',
          path: 'hsts.maxAgeSeconds',
          says: ['must be at least 86400 (one day)', 'got 3600'],
        },
      ]);
      expectProblems(refused({ hsts: { preload: true, includeSubdomains: false } }), [
        {
          where: 'test/ingress',
          path: 'hsts.preload',
          says: ['needs includeSubdomains and a max age of at least 31536000', 'got true'],
        },
      ]);
    });

    it('refuses a gzip level out of range, a bad MIME type and an empty type list', () => {
      expectProblems(refused({ gzip: { level: 10, types: ['json'] } }), [
        { where: 'test/ingress', path: 'gzip.level', says: ['must be from 1 to 9', 'got 10'] },
        { where: 'test/ingress', path: 'gzip.types[0]', says: ['must be a MIME type', 'got "json"'] },
      ]);
      expectProblems(refused({ gzip: { types: [] } }), [
        { where: 'test/ingress', path: 'gzip.types', says: ['must list at least one MIME type', 'got []'] },
      ]);
    });

    it('refuses access-log fields that would break the JSON line or shadow a built-in field', () => {
      expectProblems(
        refused({ accessLog: { extraFields: { trace_id: '"$x"', status: '$status', 'Trace-Id': '$x' } } }),
        [
          {
            where: 'test/ingress',
            path: 'accessLog.extraFields.trace_id',
            says: ['must be a single nginx variable', 'got "\\"$x\\""'],
          },
          {
            where: 'test/ingress',
            path: 'accessLog.extraFields.status',
            says: ['is already a field of the access log', 'got "status"'],
          },
          {
            where: 'test/ingress',
            path: 'accessLog.extraFields.Trace-Id',
            says: ['must be a field name of lower-case letters, digits and "_"', 'got "Trace-Id"'],
          },
        ],
      );
    });

    it('refuses service settings that do not fit the Service type', () => {
      expectProblems(
        refused({
          service: {
            type: 'ClusterIP',
            externalTrafficPolicy: 'Local',
            loadBalancerSourceRanges: ['10.0.0.0/8'],
          },
        }),
        [
          {
            where: 'test/ingress',
            path: 'service.externalTrafficPolicy',
            says: ['only applies to LoadBalancer and NodePort Services', 'got "Local"'],
          },
          {
            where: 'test/ingress',
            path: 'service.loadBalancerSourceRanges',
            says: ['only applies to LoadBalancer Services', 'got ["10.0.0.0/8"]'],
          },
        ],
      );
      expectProblems(
        refused({
          service: {
            type: 'Ingress',
            loadBalancerSourceRanges: ['10.0.0.300/8'],
            annotations: { 'bad key!': 'x' },
          },
        }),
        [
          {
            where: 'test/ingress',
            path: 'service.type',
            says: ['must be "LoadBalancer", "NodePort" or "ClusterIP"', 'got "Ingress"'],
          },
          {
            where: 'test/ingress',
            path: 'service.annotations.bad key!',
            says: ['is not a valid annotation key', 'got "bad key!"'],
          },
          {
            where: 'test/ingress',
            path: 'service.loadBalancerSourceRanges[0]',
            says: ['must be a CIDR range', 'got "10.0.0.300/8"'],
          },
        ],
      );
    });

    it('refuses a bad class name, replica count and chart version together', () => {
      expectProblems(
        refused({
          ingressClassName: 'Nginx',
          replicas: 0,
          chart: ChartSource.repository('https://kubernetes.github.io/ingress-nginx', 'ingress-nginx', '4.x'),
        }),
        [
          {
            where: 'test/ingress',
            path: 'ingressClassName',
            says: ['must be a valid Kubernetes name', 'got "Nginx"'],
          },
          { where: 'test/ingress', path: 'replicas', says: ['replicas must be at least 1', 'got 0'] },
          {
            where: 'test/ingress',
            path: 'chart.version',
            says: ['must be an exact chart version', 'got "4.x"'],
          },
        ],
      );
    });
  });
});
