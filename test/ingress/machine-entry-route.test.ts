// What both in-path flavours require of the machine entry they route the machine host to
// (lib/ingress/machine-entry-route.ts): it must sit in the request path, on a host of its own.
import { describe, it } from 'vitest';

import { F5NginxIngress, GatewayApiIngress, GatewayRef, identityHeaderNames, TlsSource } from '../../lib';
import { expectProblems, synth } from '../helpers';

const HOST = 'backstage.example.com';
const MACHINE_HOST = 'api.backstage.example.com';
const common = {
  namespace: 'backstage',
  host: HOST,
  backend: { serviceName: 'backstage', port: 7007 },
  tls: TlsSource.fromSecret('backstage-tls'),
};
const proxy = {
  serviceName: 'oauth2-proxy',
  namespace: 'backstage',
  port: 4180,
  identityUpstream: { serviceName: 'backstage', port: 7007, requestHeaders: identityHeaderNames() },
};
/** Each in-path ingress with `more` props laid over valid ones. */
const INGRESSES = {
  GatewayApiIngress: (more: Record<string, unknown>) => () =>
    synth(
      (stack) =>
        new GatewayApiIngress(stack, 'ingress', {
          ...common,
          authProxy: proxy,
          gateway: GatewayRef.create({ gatewayClassName: 'nginx' }),
          ...more,
        }),
    ),
  F5NginxIngress: (more: Record<string, unknown>) => () =>
    synth(
      (stack) =>
        new F5NginxIngress(stack, 'ingress', {
          ...common,
          gateway: { ...proxy, sessionStore: { proxyBufferSize: '16k', kind: 'redis' } },
          ...more,
        }),
    ),
};
const machineEntry = (host: string, inRequestPath: boolean) => ({
  machineEntry: { host, serviceName: 'oauth2-proxy-machines', port: 4180, inRequestPath },
});

describe.each(Object.entries(INGRESSES))('%s machineEntry', (_name, ingress) => {
  it('refuses an auth-only machine entry: nothing would authenticate the route', () => {
    expectProblems(ingress(machineEntry(MACHINE_HOST, false)), [
      {
        path: 'machineEntry.inRequestPath',
        says: [
          'must sit in the request path',
          'Give the OidcGateway upstream',
          'an auth-only machine entry is for ingress-nginx',
        ],
      },
    ]);
  });

  it("refuses the people's host as the machine host", () => {
    expectProblems(ingress(machineEntry(HOST, true)), [
      { path: 'machineEntry.host', says: ['must differ from host', 'a host of its own'] },
    ]);
  });
});

describe('GatewayApiIngress machineHttpsListener', () => {
  it('is refused on an existing Gateway without a machine entry', () => {
    const gateway = GatewayRef.existing({
      name: 'shared',
      namespace: 'gateways',
      httpsListener: 'https',
      machineHttpsListener: 'https-api',
    });
    expectProblems(INGRESSES.GatewayApiIngress({ gateway, tls: undefined }), [
      {
        path: 'gateway.machineHttpsListener',
        says: ['has no machine entry to route', 'Give the portal a machineHost'],
      },
    ]);
  });
});
