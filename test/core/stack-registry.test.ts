import { createRequire } from 'node:module';
import { resolve } from 'node:path';

import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { App, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';

import * as lib from '../../lib';
import {
  ClusterSecretStore,
  type IngressAuthGateway,
  NginxIngress,
  PropsValidationError,
  SecretRef,
  SecretStoreProvider,
  TlsSource,
} from '../../lib';
import { expectProblems, resourcesOf, synth, type TfJson } from '../helpers';

// The objects made once per stack (a ClusterIssuer or ClusterSecretStore of a name, the
// Secret made from a variable in a namespace) are recorded by a construct in the stack,
// not in module state. These tests look at what that means from the outside.

const gateway: IngressAuthGateway = {
  authUrl: 'http://oauth2-proxy.backstage.svc.cluster.local:4180/oauth2/auth',
  signInUrl: 'https://backstage.example.com/oauth2/start?rd=$escaped_request_uri',
  serviceName: 'oauth2-proxy',
  port: 4180,
  sessionStore: { proxyBufferSize: '32k' },
};

function ingress(
  scope: Construct,
  id: string,
  tls: lib.TlsSource,
  host: string,
  Ingress: typeof NginxIngress = NginxIngress,
): void {
  new Ingress(scope, id, {
    namespace: 'backstage',
    host,
    backend: { serviceName: 'backstage', port: 7007 },
    gateway,
    tls,
  });
}

function stackIn(app: App, id: string): TerraformStack {
  const stack = new TerraformStack(app, id);
  new KubernetesProvider(stack, 'k8s', {});
  return stack;
}

const jsonOf = (stack: TerraformStack): TfJson => JSON.parse(JSON.stringify(stack.toTerraform())) as TfJson;
const kinds = (json: TfJson): string[] =>
  Object.values(resourcesOf(json, 'kubernetes_manifest')).map(
    (r) => `${r.manifest.kind}/${r.manifest.metadata.name}`,
  );

/**
 * A second copy of the library, as npm installs one when two packages pin different
 * ranges: the bundle the package ships, built from lib/ and loaded as its own module,
 * with cdktf and constructs shared (they are peer dependencies).
 */
function secondCopy(): typeof lib {
  const [bundle] = buildSync({
    entryPoints: [resolve(__dirname, '../../lib/index.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    external: ['cdktf', 'constructs', '@cdktf/provider-kubernetes', '@cdktf/provider-helm'],
    logLevel: 'silent',
  }).outputFiles;
  const module = { exports: {} as typeof lib };
  new Function('require', 'module', 'exports', bundle!.text)(
    createRequire(__filename),
    module,
    module.exports,
  );
  return module.exports;
}

describe('per-stack records', () => {
  it('are kept per stack: each stack of an app creates its own ClusterIssuer, ClusterSecretStore and variable Secret', () => {
    const app = Testing.app();
    const stacks = ['eu', 'us'].map((id) => {
      const stack = stackIn(app, id);
      ingress(stack, 'ing', TlsSource.acme({ email: 'platform@example.com' }), 'backstage.example.com');
      new ClusterSecretStore(stack, 'store', {
        provider: SecretStoreProvider.vault({ server: 'https://vault.example.com', role: 'backstage' }),
      });
      const token = SecretRef.fromVariable(
        new TerraformVariable(stack, 'token', { type: 'string', sensitive: true }),
      );
      token.bind({ scope: new Construct(stack, 'consumer'), namespace: 'backstage' });
      return stack;
    });
    for (const stack of stacks) {
      const json = jsonOf(stack);
      expect(kinds(json).sort()).toEqual([
        'ClusterIssuer/letsencrypt-production',
        'ClusterSecretStore/vault',
      ]);
      expect(Object.values(resourcesOf(json, 'kubernetes_secret_v1')).map((s) => s.metadata.name)).toEqual([
        'token',
      ]);
    }
  });

  it("live in the stack's construct tree and add nothing to the synthesized JSON", () => {
    let stack!: TerraformStack;
    const json = synth((s) => {
      stack = s;
      ingress(s, 'ing', TlsSource.selfSigned(), 'backstage.example.com');
    });
    const record = stack.node.tryFindChild('cdktf-backstage.ClusterIssuers');
    expect(record?.node.children).toEqual([]);
    expect(Object.keys(json.resource ?? {}).sort()).toEqual(['kubernetes_ingress_v1', 'kubernetes_manifest']);
    expect(kinds(json)).toEqual(['ClusterIssuer/selfsigned']);
  });

  it('refuse a construct of the user that holds the id they are kept under', () => {
    expectProblems(
      () =>
        synth((stack) => {
          new Construct(stack, 'cdktf-backstage.ClusterIssuers');
          ingress(stack, 'ing', TlsSource.selfSigned(), 'backstage.example.com');
        }),
      [
        {
          where: 'test',
          path: 'cdktf-backstage.ClusterIssuers',
          says: [
            'is the id of a construct this library keeps its per-stack state in',
            'got test/cdktf-backstage.ClusterIssuers',
            'another id',
          ],
        },
      ],
    );
  });

  it('are shared by two copies of the library in one stack, so a ClusterIssuer is still created once and a clash still refused', () => {
    const other = secondCopy();
    expect(other.TlsSource).not.toBe(TlsSource);
    const json = synth((stack) => {
      ingress(stack, 'a', TlsSource.acme({ email: 'platform@example.com' }), 'a.example.com');
      ingress(
        stack,
        'b',
        other.TlsSource.acme({ email: 'platform@example.com' }),
        'b.example.com',
        other.NginxIngress,
      );
    });
    expect(kinds(json)).toEqual(['ClusterIssuer/letsencrypt-production']);

    expectProblems(() => {
      try {
        synth((stack) => {
          ingress(stack, 'a', TlsSource.acme({ email: 'platform@example.com' }), 'a.example.com');
          ingress(
            stack,
            'b',
            other.TlsSource.acme({
              email: 'platform@example.com',
              server: 'staging',
              issuerName: 'letsencrypt-production',
            }),
            'b.example.com',
            other.NginxIngress,
          );
        });
      } catch (e) {
        // The second copy refuses with its own PropsValidationError class; its details are the same shape.
        throw e instanceof other.PropsValidationError ? new PropsValidationError(e.details) : e;
      }
    }, [
      {
        where: 'test/b',
        path: 'tls',
        says: [
          'needs ClusterIssuer "letsencrypt-production" with a different spec than another construct in this stack created',
          'its own issuerName',
        ],
      },
    ]);
  });
});
