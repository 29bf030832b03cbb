// Metrics scraping of the workloads the library runs: the metrics port opened to the scraper
// alone (NetworkPolicy), named on the Service, announced on the pods, and the optional
// Prometheus Operator ServiceMonitor, for the gateway, its machine entry and Backstage.
import { describe, expect, it } from 'vitest';

import {
  BackstagePortal,
  CertManager,
  ExternalSecretsOperator,
  IngressNginxController,
  MachineClient,
  MetricsScraping,
  OidcGateway,
} from '../../lib';
import {
  expectProblems,
  gatewayProps,
  portalProps,
  resourceAt,
  resourcesOf,
  synth,
  synthBackstage,
  type TfJson,
} from '../helpers';
import { refusedBy, synthPlatform, valuesOf } from '../platform/platform-helpers';

const PROMETHEUS = {
  namespaceLabels: { 'kubernetes.io/metadata.name': 'monitoring' },
  podLabels: { 'app.kubernetes.io/name': 'prometheus' },
};
// As the synthesized JSON holds them (the typed resources' attributes are snake_case).
const INGRESS_NGINX = {
  namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
  pod_selector: {
    match_labels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' },
  },
};
const PROMETHEUS_PEER = {
  namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'monitoring' } },
  pod_selector: { match_labels: { 'app.kubernetes.io/name': 'prometheus' } },
};

const machineClients = [
  MachineClient.githubActions({
    audience: 'backstage-ci',
    repository: 'acme/service',
    refs: ['refs/heads/main'],
  }),
];

const gateway = (metrics: MetricsScraping | undefined, withMachines = false) =>
  synth(
    (stack) =>
      new OidcGateway(
        stack,
        'gw',
        gatewayProps({
          ...(metrics ? { metrics } : {}),
          ...(withMachines ? { machineHost: 'api.backstage.example.com', machineClients } : {}),
        }),
      ),
  );

/** Backstage (`bs`) with these metrics (`never`: the refusal tests pass what the types forbid). */
const backstage = (metrics: Record<string, unknown> | undefined) =>
  synthBackstage(metrics ? { metrics: metrics as never } : {});

const at = (json: TfJson, type: string, path: string) => resourceAt(json, type, path);
const manifests = (json: TfJson) =>
  Object.values(resourcesOf(json, 'kubernetes_manifest')).map((r) => r.manifest);

describe('metrics scraping', () => {
  describe('OidcGateway metrics', () => {
    it('admits the scraper on the metrics port alone, beside the ingress controller on the traffic port', () => {
      const json = gateway({ scraper: PROMETHEUS });
      expect(at(json, 'kubernetes_network_policy_v1', 'gw/NetworkPolicy').spec.ingress).toEqual([
        { from: [INGRESS_NGINX], ports: [{ port: '4180', protocol: 'TCP' }] },
        { from: [PROMETHEUS_PEER], ports: [{ port: '44180', protocol: 'TCP' }] },
      ]);
    });

    it('names the metrics port on the Service, and announces it on the pods for annotation-based discovery', () => {
      const json = gateway({ scraper: PROMETHEUS });
      expect(at(json, 'kubernetes_service_v1', 'gw/Service').spec.port).toEqual([
        { name: 'http', port: 4180, target_port: 'http', protocol: 'TCP' },
        { name: 'metrics', port: 44180, target_port: 'metrics', protocol: 'TCP' },
      ]);
      const template = at(json, 'kubernetes_deployment_v1', 'gw/Deployment').spec.template;
      expect(template.metadata.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '44180',
        'prometheus.io/path': '/metrics',
      });
      // The port oauth2-proxy's alpha config binds its metrics server to.
      expect(template.spec.container[0].port).toContainEqual({
        name: 'metrics',
        container_port: 44180,
        protocol: 'TCP',
      });
    });

    it('without metrics: the metrics port admits nobody, the Service has no metrics port, no annotations, no ServiceMonitor', () => {
      const json = gateway(undefined);
      expect(at(json, 'kubernetes_network_policy_v1', 'gw/NetworkPolicy').spec.ingress).toEqual([
        { from: [INGRESS_NGINX], ports: [{ port: '4180', protocol: 'TCP' }] },
      ]);
      expect(at(json, 'kubernetes_service_v1', 'gw/Service').spec.port.map((p: any) => p.name)).toEqual([
        'http',
      ]);
      const annotations = at(json, 'kubernetes_deployment_v1', 'gw/Deployment').spec.template.metadata
        .annotations;
      expect(Object.keys(annotations).filter((k) => k.startsWith('prometheus.io/'))).toEqual([]);
      expect(manifests(json)).toEqual([]);
    });

    it('renders a ServiceMonitor for the Service by its selector labels, with the given labels and interval', () => {
      const json = gateway({
        scraper: PROMETHEUS,
        serviceMonitor: { labels: { release: 'kube-prometheus-stack' }, interval: '30s' },
      });
      expect(at(json, 'kubernetes_manifest', 'gw/ServiceMonitor').manifest).toEqual({
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: {
          name: 'oauth2-proxy',
          namespace: 'backstage',
          labels: {
            'app.kubernetes.io/name': 'oauth2-proxy',
            'app.kubernetes.io/instance': 'oauth2-proxy',
            'app.kubernetes.io/component': 'gateway',
            'app.kubernetes.io/part-of': 'backstage-portal',
            'app.kubernetes.io/managed-by': 'cdktf-backstage',
            release: 'kube-prometheus-stack',
          },
        },
        spec: {
          selector: {
            matchLabels: {
              'app.kubernetes.io/name': 'oauth2-proxy',
              'app.kubernetes.io/instance': 'oauth2-proxy',
            },
          },
          endpoints: [{ port: 'metrics', path: '/metrics', scheme: 'http', interval: '30s' }],
        },
      });
      // The selector picks this Service and not the machine entry's or Backstage's.
      expect(at(json, 'kubernetes_service_v1', 'gw/Service').metadata.labels).toMatchObject(
        at(json, 'kubernetes_manifest', 'gw/ServiceMonitor').manifest.spec.selector.matchLabels,
      );
    });

    it('opens the machine entry to the same scraper, with a ServiceMonitor of its own that selects only its Service', () => {
      const json = gateway({ scraper: PROMETHEUS, serviceMonitor: {} }, true);
      expect(at(json, 'kubernetes_network_policy_v1', 'gw/Machines/NetworkPolicy').spec.ingress[1]).toEqual({
        from: [PROMETHEUS_PEER],
        ports: [{ port: '44180', protocol: 'TCP' }],
      });
      const monitor = at(json, 'kubernetes_manifest', 'gw/Machines/ServiceMonitor').manifest;
      const machineService = at(json, 'kubernetes_service_v1', 'gw/Machines/Service');
      expect(monitor.metadata.name).toBe(machineService.metadata.name);
      expect(monitor.spec.selector.matchLabels).toEqual(machineService.spec.selector);
      expect(monitor.spec.selector.matchLabels).not.toEqual(
        at(json, 'kubernetes_manifest', 'gw/ServiceMonitor').manifest.spec.selector.matchLabels,
      );
      expect(monitor.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', scheme: 'http' }]);
      expect(machineService.spec.port.map((p: any) => [p.name, p.port])).toEqual([
        ['http', 4180],
        ['metrics', 44180],
      ]);
    });

    it('refuses a scraper that selects every namespace, and an interval Prometheus cannot read', () => {
      expectProblems(
        () =>
          gateway({
            scraper: { namespaceLabels: {} },
            serviceMonitor: { interval: '1.5m', labels: { 'bad key!': 'x' } },
          }),
        [
          { path: 'metrics.scraper.namespaceLabels', says: 'must select at least one label' },
          {
            path: 'metrics.serviceMonitor.labels.bad key!',
            says: [
              'must be a valid label key',
              'got the key "bad key!"',
              'Use e.g. "app.kubernetes.io/name"',
            ],
          },
          { path: 'metrics.serviceMonitor.interval', says: ['must be a Prometheus duration', 'got "1.5m"'] },
        ],
      );
      expectProblems(
        () => gateway({ scraper: PROMETHEUS, serviceMonitor: { interval: '0s' } }),
        [{ path: 'metrics.serviceMonitor.interval', says: 'must be longer than zero' }],
      );
    });
  });

  describe('Backstage metrics', () => {
    it("opens the app's exporter port to the scraper alone, on the container, the Service and the pods' annotations", () => {
      const json = backstage({ scraper: PROMETHEUS, port: 9464 });
      expect(at(json, 'kubernetes_network_policy_v1', 'bs/NetworkPolicy').spec.ingress).toEqual([
        { from: [INGRESS_NGINX], ports: [{ port: '7007', protocol: 'TCP' }] },
        { from: [PROMETHEUS_PEER], ports: [{ port: '9464', protocol: 'TCP' }] },
      ]);
      const template = at(json, 'kubernetes_deployment_v1', 'bs/Deployment').spec.template;
      expect(template.spec.container[0].port).toEqual([
        { name: 'http', container_port: 7007, protocol: 'TCP' },
        { name: 'metrics', container_port: 9464, protocol: 'TCP' },
      ]);
      expect(template.metadata.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '9464',
        'prometheus.io/path': '/metrics',
      });
      expect(at(json, 'kubernetes_service_v1', 'bs/Service').spec.port).toEqual([
        { name: 'http', port: 7007, target_port: 'http', protocol: 'TCP' },
        { name: 'metrics', port: 9464, target_port: 'metrics', protocol: 'TCP' },
      ]);
      expect(manifests(json)).toEqual([]);
    });

    it('scrapes the given path through a ServiceMonitor', () => {
      const json = backstage({ scraper: PROMETHEUS, port: 9464, path: '/otel/metrics', serviceMonitor: {} });
      const monitor = at(json, 'kubernetes_manifest', 'bs/ServiceMonitor').manifest;
      expect(monitor.spec).toEqual({
        selector: {
          matchLabels: { 'app.kubernetes.io/name': 'backstage', 'app.kubernetes.io/instance': 'backstage' },
        },
        endpoints: [{ port: 'metrics', path: '/otel/metrics', scheme: 'http' }],
      });
      expect(
        at(json, 'kubernetes_deployment_v1', 'bs/Deployment').spec.template.metadata.annotations[
          'prometheus.io/path'
        ],
      ).toBe('/otel/metrics');
    });

    it("refuses Backstage's own port (the scraper would reach the whole backend), a port out of range and a relative path", () => {
      expectProblems(
        () => backstage({ scraper: PROMETHEUS, port: 7007 }),
        [{ path: 'metrics.port', says: ["must not be Backstage's own port 7007", 'a port of their own'] }],
      );
      expectProblems(
        () => backstage({ scraper: PROMETHEUS, port: 70000, path: 'metrics' }),
        [
          { path: 'metrics.port', says: 'must be at most 65535' },
          { path: 'metrics.path', says: ['must be a path such as "/metrics"', 'got "metrics"'] },
        ],
      );
      expectProblems(() => backstage({ port: 9464 }), [{ path: 'metrics.scraper', says: 'is required' }]);
    });
  });

  describe('BackstagePortal', () => {
    it("passes the gateway's and Backstage's metrics to them, and Backstage admits the scraper on its metrics port only", () => {
      const json = synth(
        (stack) =>
          new BackstagePortal(stack, 'portal', {
            ...portalProps(stack),
            gateway: { metrics: { scraper: PROMETHEUS, serviceMonitor: {} } },
            backstage: { replicas: 1, metrics: { scraper: PROMETHEUS, port: 9464 } },
          }),
      );
      expect(manifests(json).map((m) => `${m.kind} ${m.metadata.name}`)).toContain(
        'ServiceMonitor oauth2-proxy',
      );
      expect(manifests(json).filter((m) => m.kind === 'ServiceMonitor')).toHaveLength(1);
      expect(
        at(json, 'kubernetes_network_policy_v1', 'portal/Backstage/NetworkPolicy').spec.ingress[1],
      ).toEqual({
        from: [PROMETHEUS_PEER],
        ports: [{ port: '9464', protocol: 'TCP' }],
      });
      expect(
        at(json, 'kubernetes_network_policy_v1', 'portal/Gateway/NetworkPolicy').spec.ingress[1],
      ).toEqual({
        from: [PROMETHEUS_PEER],
        ports: [{ port: '44180', protocol: 'TCP' }],
      });
    });
  });

  describe("the operators' charts (serviceMonitor of IngressNginxController, CertManager, ExternalSecretsOperator)", () => {
    const operators = (serviceMonitor: unknown) =>
      synthPlatform((stack) => {
        new IngressNginxController(stack, 'ingress', { serviceMonitor } as never);
        new CertManager(stack, 'cm', { serviceMonitor } as never);
        new ExternalSecretsOperator(stack, 'eso', { serviceMonitor } as never);
      });

    it('give each chart the labels and interval under its own keys, and a scrape timeout no longer than the interval', () => {
      const long = operators({ labels: { release: 'kube-prometheus-stack' }, interval: '1m' });
      expect(valuesOf(long, 'ingress').controller.metrics.serviceMonitor).toEqual({
        enabled: true,
        additionalLabels: { release: 'kube-prometheus-stack' },
        scrapeInterval: '1m',
      });
      expect(valuesOf(long, 'cm').prometheus.servicemonitor).toEqual({
        enabled: true,
        labels: { release: 'kube-prometheus-stack' },
        interval: '1m',
      });
      expect(valuesOf(long, 'eso').serviceMonitor).toEqual({
        enabled: true,
        additionalLabels: { release: 'kube-prometheus-stack' },
        interval: '1m',
      });
      // 5s is shorter than every chart's timeout (Prometheus' 10s, cert-manager's 30s, ESO's 25s).
      const short = operators({ interval: '5s' });
      expect(valuesOf(short, 'ingress').controller.metrics.serviceMonitor).toEqual({
        enabled: true,
        scrapeInterval: '5s',
        scrapeTimeout: '5s',
      });
      expect(valuesOf(short, 'cm').prometheus.servicemonitor).toEqual({
        enabled: true,
        interval: '5s',
        scrapeTimeout: '5s',
      });
      expect(valuesOf(short, 'eso').serviceMonitor).toEqual({
        enabled: true,
        interval: '5s',
        scrapeTimeout: '5s',
      });
      // 20s: shorter than cert-manager's and ESO's timeouts only.
      const middle = operators({ interval: '20s' });
      expect(valuesOf(middle, 'ingress').controller.metrics.serviceMonitor).not.toHaveProperty(
        'scrapeTimeout',
      );
      expect(valuesOf(middle, 'cm').prometheus.servicemonitor.scrapeTimeout).toBe('20s');
      expect(valuesOf(middle, 'eso').serviceMonitor.scrapeTimeout).toBe('20s');
      // true and false still mean on and off with the chart's defaults.
      expect(valuesOf(operators(true), 'eso').serviceMonitor).toEqual({ enabled: true });
      expect(valuesOf(operators(false), 'cm').prometheus.servicemonitor).toEqual({ enabled: false });
    });

    it("refuses a bad interval or label under the option's own path, and a value that is neither", () => {
      expectProblems(
        refusedBy((stack) => new CertManager(stack, 'cm', { serviceMonitor: { interval: '90 seconds' } })),
        [{ path: 'serviceMonitor.interval', says: ['must be a Prometheus duration', 'got "90 seconds"'] }],
      );
      expectProblems(
        refusedBy(
          (stack) =>
            new ExternalSecretsOperator(stack, 'eso', { serviceMonitor: { labels: { release: 'a b' } } }),
        ),
        [{ path: 'serviceMonitor.labels.release', says: ['must be a valid label value', 'got "a b"'] }],
      );
      expectProblems(
        refusedBy(
          (stack) => new IngressNginxController(stack, 'ingress', { serviceMonitor: 'yes' } as never),
        ),
        [{ path: 'serviceMonitor', says: ['must be true, false or { labels, interval }', 'got "yes"'] }],
      );
    });
  });
});
