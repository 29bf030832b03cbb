import { describe, expect, it } from 'vitest';

import {
  chartFlavour,
  controllerConfigs,
  helmValues,
  nginxConfig,
  setPath,
} from '../../lib/policy/helm-values';
import { StackModel } from '../../lib/policy/stack-model';

describe('chartFlavour', () => {
  it('tells the two controllers apart by chart name, however the chart is referenced', () => {
    expect(chartFlavour({ chart: 'ingress-nginx' })).toBe('ingress-nginx');
    expect(chartFlavour({ chart: 'https://kubernetes.github.io/ingress-nginx/ingress-nginx' })).toBe(
      'ingress-nginx',
    );
    expect(chartFlavour({ chart: './charts/ingress-nginx-4.11.3.tgz' })).toBe('ingress-nginx');
    expect(chartFlavour({ chart: 'nginx-ingress' })).toBe('f5-nginx-ingress');
    expect(chartFlavour({ chart: 'oci://ghcr.io/nginx/charts/nginx-ingress/' })).toBe('f5-nginx-ingress');
    expect(chartFlavour({ chart: 'nginx-ingress-2.0.1.tgz' })).toBe('f5-nginx-ingress');
  });

  it('ignores other charts', () => {
    expect(chartFlavour({ chart: 'cert-manager' })).toBeUndefined();
    expect(chartFlavour({ chart: 'my-ingress-nginx' })).toBeUndefined();
    expect(chartFlavour({})).toBeUndefined();
  });
});

describe('setPath', () => {
  it('splits on dots that are not escaped', () => {
    expect(setPath('controller.config.allow-snippet-annotations')).toEqual([
      'controller',
      'config',
      'allow-snippet-annotations',
    ]);
    expect(setPath('controller.podAnnotations.prometheus\\.io/scrape')).toEqual([
      'controller',
      'podAnnotations',
      'prometheus.io/scrape',
    ]);
    expect(setPath('replicaCount')).toEqual(['replicaCount']);
  });
});

describe('helmValues', () => {
  it('merges the YAML values in order: maps deeply, anything else replaced', () => {
    expect(
      helmValues({
        values: [
          'controller:\n  config:\n    hsts: "true"\n  extraArgs: [a, b]\n',
          'controller:\n  config:\n    hsts: "false"\n    x: y\n  extraArgs: [c]\n',
        ],
      }),
    ).toEqual({
      controller: { config: { hsts: 'false', x: 'y' }, extraArgs: ['c'] },
    });
  });

  it('skips values it cannot read: broken YAML, plan-time expressions, documents that are not maps', () => {
    expect(helmValues({ values: ['a: 1\n', 'controller: [', '${var.values}', '- 1\n'] })).toEqual({ a: 1 });
  });

  it('applies set after the YAML values, then set_sensitive', () => {
    expect(
      helmValues({
        values: ['controller:\n  config:\n    hsts: "true"\n  kind: Deployment\n'],
        set: [
          { name: 'controller.config.hsts', value: 'false' },
          { name: 'controller.kind.name', value: 'x' },
          { name: 'controller.podAnnotations.prometheus\\.io/scrape', value: 'true' },
          { value: 'no name' },
        ],
        set_sensitive: { name: 'controller.config.hsts', value: 'sensitive' },
      }),
    ).toEqual({
      controller: {
        config: { hsts: 'sensitive' },
        kind: { name: 'x' },
        podAnnotations: { 'prometheus.io/scrape': 'true' },
      },
    });
  });
});

describe('controllerConfigs', () => {
  it('finds the ingress controller releases, with the NGINX config map of each flavour', () => {
    const model = new StackModel(
      [
        {
          type: 'helm_release',
          path: 's/nginx',
          attributes: { chart: 'ingress-nginx', values: ['controller:\n  config:\n    hsts: "true"\n'] },
        },
        {
          type: 'helm_release',
          path: 's/f5',
          attributes: {
            chart: 'nginx-ingress',
            values: ['controller:\n  config:\n    entries:\n      hsts: "false"\n'],
          },
        },
        { type: 'helm_release', path: 's/cert-manager', attributes: { chart: 'cert-manager' } },
        { type: 'kubernetes_manifest', path: 's/manifest', attributes: { chart: 'ingress-nginx' } },
      ],
      'production',
    );
    expect(controllerConfigs(model).map((c) => [c.resource.path, c.flavour, nginxConfig(c)])).toEqual([
      ['s/nginx', 'ingress-nginx', { hsts: 'true' }],
      ['s/f5', 'f5-nginx-ingress', { hsts: 'false' }],
    ]);
  });
});
