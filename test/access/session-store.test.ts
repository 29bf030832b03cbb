// SessionStore.redis with a private CA: the CA Secret is mounted into the oauth2-proxy pod
// and passed as --redis-ca-path (oauth2-proxy v7.15.6 has the flag in the flag set that
// --alpha-config selects; it adds the file to the system CAs for the rediss:// connection).
import { TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';

import { OidcGateway, OidcGatewayProps, SecretRef, SessionStore } from '../../lib';
import {
  type ExpectedProblem,
  expectProblems,
  gatewayProps,
  resourceAt,
  synth,
  TfJson,
  variableSecret,
} from '../helpers';

const propsWith = (stack: TerraformStack, sessionStore: SessionStore): OidcGatewayProps =>
  gatewayProps({ cookieSecret: variableSecret(stack, 'cookie_secret'), sessionStore });

const synthWith = (store: (stack: TerraformStack) => SessionStore): TfJson =>
  synth((stack) => new OidcGateway(stack, 'gw', propsWith(stack, store(stack))));
const podOf = (json: TfJson) =>
  resourceAt(json, 'kubernetes_deployment_v1', 'gw/Deployment').spec.template.spec;
const problemsWith = (store: SessionStore, expected: readonly ExpectedProblem[]) =>
  expectProblems(() => synth((stack) => new OidcGateway(stack, 'gw', propsWith(stack, store))), expected);

describe('SessionStore.redis with a CA', () => {
  it('mounts the CA from its Secret and passes it as --redis-ca-path, right after the connection URL', () => {
    const json = synthWith(() =>
      SessionStore.redis({
        url: 'rediss://redis.backstage.svc:6380',
        password: SecretRef.fromSecret('redis', 'password'),
        ca: SecretRef.fromSecret('redis-ca', 'ca.pem'),
      }),
    );
    const pod = podOf(json);
    const args: string[] = pod.container[0].args;
    const at = args.indexOf('--session-store-type=redis');
    expect(args.slice(at, at + 3)).toEqual([
      '--session-store-type=redis',
      '--redis-connection-url=rediss://redis.backstage.svc:6380',
      '--redis-ca-path=/etc/oauth2-proxy/redis-ca/ca.crt',
    ]);
    expect(args.filter((a) => a.startsWith('--redis-'))).toEqual([
      '--redis-connection-url=rediss://redis.backstage.svc:6380',
      '--redis-ca-path=/etc/oauth2-proxy/redis-ca/ca.crt',
    ]);
    expect(pod.volume).toEqual([
      {
        name: 'config',
        config_map: {
          name: expect.stringMatching(
            /^\$\{kubernetes_config_map_v1\.gw_Config_[0-9A-F]+\.metadata\[0\]\.name\}$/,
          ),
        },
      },
      {
        name: 'client-secret',
        secret: { secret_name: 'oidc', items: [{ key: 'client-secret', path: 'client-secret' }] },
      },
      { name: 'redis-ca', secret: { secret_name: 'redis-ca', items: [{ key: 'ca.pem', path: 'ca.crt' }] } },
    ]);
    expect(pod.container[0].volume_mount).toEqual([
      { name: 'config', mount_path: '/etc/oauth2-proxy', read_only: true },
      { name: 'client-secret', mount_path: '/etc/oauth2-proxy/client-secret', read_only: true },
      { name: 'redis-ca', mount_path: '/etc/oauth2-proxy/redis-ca', read_only: true },
    ]);
    // The CA is a file, not an environment variable; the password stays a secretKeyRef.
    expect(pod.container[0].env.map((e: { name: string }) => e.name)).toEqual([
      'OAUTH2_PROXY_COOKIE_SECRET',
      'OAUTH2_PROXY_REDIS_PASSWORD',
    ]);
  });

  it('never offers to skip the verification, and adds nothing without a CA', () => {
    const withCa = podOf(
      synthWith(() =>
        SessionStore.redis({ url: 'rediss://redis:6380', ca: SecretRef.fromSecret('redis-ca', 'ca.crt') }),
      ),
    ).container[0].args as string[];
    expect(withCa.filter((a) => a.includes('insecure') || a.includes('skip-verify'))).toEqual([]);
    const pod = podOf(synthWith(() => SessionStore.redis({ url: 'rediss://redis:6380' })));
    expect((pod.container[0].args as string[]).filter((a) => a.startsWith('--redis-'))).toEqual([
      '--redis-connection-url=rediss://redis:6380',
    ]);
    expect(pod.volume.map((v: { name: string }) => v.name)).toEqual(['config', 'client-secret']);
  });

  it('rolls the pods when a CA held in a Terraform variable changes, and reloads on a rotated external one', () => {
    const annotations = (json: TfJson) =>
      resourceAt(json, 'kubernetes_deployment_v1', 'gw/Deployment').spec.template.metadata.annotations;
    const withVariable = synthWith((stack) =>
      SessionStore.redis({ url: 'rediss://redis:6380', ca: variableSecret(stack, 'redis_ca') }),
    );
    const without = synthWith(() => SessionStore.redis({ url: 'rediss://redis:6380' }));
    expect(annotations(withVariable)['checksum/secrets']).not.toBe(annotations(without)['checksum/secrets']);
    const deployment = resourceAt(
      synthWith(() =>
        SessionStore.redis({ url: 'rediss://redis:6380', ca: SecretRef.fromSecret('redis-ca', 'ca.crt') }),
      ),
      'kubernetes_deployment_v1',
      'gw/Deployment',
    );
    expect(deployment.metadata.annotations['secret.reloader.stakater.com/reload']).toContain('redis-ca');
  });

  it('refuses a CA with a redis:// URL: nothing would verify the connection', () => {
    problemsWith(
      SessionStore.redis({
        url: 'redis://redis.backstage.svc:6379',
        ca: SecretRef.fromSecret('redis-ca', 'ca.crt'),
      }),
      [
        {
          where: 'test/gw',
          path: 'sessionStore.ca',
          says: [
            'needs a rediss:// URL: a CA only verifies a TLS connection, and redis:// connects in clear text',
            'got a SecretRef',
            'leave ca out',
          ],
        },
      ],
    );
  });

  it('refuses a CA that is not a SecretRef', () => {
    problemsWith(
      SessionStore.redis({ url: 'rediss://redis:6380', ca: '-----BEGIN CERTIFICATE-----' as never }),
      [
        {
          where: 'test/gw',
          path: 'sessionStore.ca',
          says: [
            'must be a SecretRef, not a plain value: a literal would be written into the synthesized Terraform JSON',
            'got a plain value (hidden)',
          ],
        },
      ],
    );
  });
});
