import { describe, expect, it } from 'vitest';

import {
  BackstageDatabase,
  BackstagePortal,
  DEFAULT_CHARTS,
  DEFAULT_IMAGES,
  OAUTH2_PROXY_VERSION,
} from '../../lib';
import { portalProps, resourcesOf, synth, variableSecret } from '../helpers';

describe('pinned defaults', () => {
  it('are fully qualified image references (registry host, path, tag) in one place', () => {
    expect(DEFAULT_IMAGES).toEqual({
      oauth2Proxy: `quay.io/oauth2-proxy/oauth2-proxy:${OAUTH2_PROXY_VERSION}`,
      postgres: 'docker.io/library/postgres:17.9',
    });
    for (const image of Object.values(DEFAULT_IMAGES)) {
      expect(image).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+\/[a-z0-9._/-]+:[A-Za-z0-9._-]+$/);
    }
  });

  it('are what the constructs run when no image is given', () => {
    const json = synth((stack) => {
      const props = portalProps(stack);
      new BackstagePortal(stack, 'portal', {
        ...props,
        database: BackstageDatabase.inCluster({ password: variableSecret(stack, 'db_password') }),
      });
    });
    const images = [
      ...Object.values(resourcesOf(json, 'kubernetes_deployment_v1')),
      ...Object.values(resourcesOf(json, 'kubernetes_stateful_set_v1')),
    ].map((r) => r.spec.template.spec.container[0].image);
    expect(images).toEqual(expect.arrayContaining([DEFAULT_IMAGES.oauth2Proxy, DEFAULT_IMAGES.postgres]));
  });

  it('pin each chart to an exact version', () => {
    for (const chart of Object.values(DEFAULT_CHARTS)) {
      expect(chart.version).toMatch(/^v?\d+\.\d+\.\d+$/);
    }
  });
});
