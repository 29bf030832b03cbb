import { TerraformVariable } from 'cdktf';
import { describe, expect, it } from 'vitest';

import { Backstage, BackstageDatabase, BackstagePortal, OidcIssuer, PropsValidationError } from '../../lib';
import { parseDuration } from '../../lib/core/duration';
import { expectProblems, portalProps, synth } from '../helpers';

describe('props validation', () => {
  it('reports every problem of one construct in one error, one line each', () => {
    // expectProblems also checks that this is one PropsValidationError.
    const problems = expectProblems(
      () =>
        synth((stack) => {
          new Backstage(stack, 'backstage', {
            namespace: 'Team_A',
            host: 'https://backstage.example.com',
            image: 'backstage:latest',
            database: BackstageDatabase.sqliteInMemory(),
            replicas: 1,
          });
        }),
      [
        {
          where: 'test/backstage',
          path: 'namespace',
          says: ['must be a valid Kubernetes name', 'got "Team_A"'],
        },
        {
          where: 'test/backstage',
          path: 'host',
          says: ['must be a fully qualified DNS name', 'got "https://backstage.example.com"'],
        },
        {
          where: 'test/backstage',
          path: 'image',
          says: [
            'must be pinned to a version tag or a digest, not "latest" or untagged',
            'got "backstage:latest"',
          ],
        },
      ],
    );
    for (const problem of problems) {
      expect(problem.message).not.toContain('\n');
    }
  });

  it('carries each problem with where, the prop path and a code, for tools', () => {
    let error: unknown;
    try {
      synth(
        (stack) =>
          new BackstagePortal(stack, 'portal', {
            ...portalProps(stack),
            replica: 3,
            backstage: { replicas: 0 },
            gateway: { cookie: { refresh: '24h' } },
            issuer: OidcIssuer.okta({ domain: 'example.okta.com', scopes: ['email'] }),
          } as never),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PropsValidationError);
    // The portal refuses its unknown prop before any part is built.
    expect(
      (error as PropsValidationError).details.map(({ where, path, code }) => ({ where, path, code })),
    ).toEqual([{ where: 'test/portal', path: 'replica', code: 'unrecognized_keys' }]);
    try {
      synth(
        (stack) =>
          new BackstagePortal(stack, 'portal', {
            ...portalProps(stack),
            gateway: { replicas: 0, cookie: { refresh: '24h' } },
            issuer: OidcIssuer.okta({ domain: 'example.okta.com', scopes: ['email'] }),
          } as never),
      );
    } catch (e) {
      error = e;
    }
    const details = (error as PropsValidationError).details;
    expect(details.map(({ where, path, code }) => ({ where, path, code }))).toEqual([
      { where: 'test/portal/Gateway', path: 'replicas', code: 'too_small' },
      { where: 'test/portal/Gateway', path: 'cookie.refresh', code: 'custom' },
      { where: 'test/portal/Gateway', path: 'issuer.scopes', code: 'custom' },
    ]);
    expect(details.map((d) => d.message)).toEqual((error as PropsValidationError).problems);
  });

  it('skips values that are Terraform tokens (known only at plan time)', () => {
    const json = synth((stack) => {
      const host = new TerraformVariable(stack, 'host', { type: 'string' });
      new BackstagePortal(stack, 'portal', { ...portalProps(stack), host: host.stringValue });
    });
    expect(json.output?.portal_url?.value).toBe('https://${var.host}');
  });

  it('names unknown props, so typos do not pass silently', () => {
    expectProblems(
      () =>
        synth((stack) => new BackstagePortal(stack, 'portal', { ...portalProps(stack), replica: 3 } as any)),
      [{ where: 'test/portal', path: 'replica', says: ['is not a known property', 'got 3'] }],
    );
  });

  it('reads durations the way oauth2-proxy does', () => {
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('168h')).toBe(604800);
    expect(parseDuration('90s')).toBe(90);
    expect(parseDuration('1d')).toBeUndefined();
    expect(parseDuration('')).toBeUndefined();
  });
});
