import { TerraformStack, TerraformVariable } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import {
  ingressAuthResponseHeaders,
  MachineClient,
  OidcGateway,
  OidcGatewayProps,
  OidcIssuer,
  SecretRef,
  SessionStore,
} from '../../lib';
import type { TfJson } from '../helpers';
import {
  type ExpectedProblem,
  expectProblems,
  problemsOf,
  resourceAt,
  resourcesOf,
  synth,
  variableSecret,
} from '../helpers';

/** Minimal valid gateway props; override what a test is about. */
function gatewayProps(stack: TerraformStack, overrides: Partial<OidcGatewayProps> = {}): OidcGatewayProps {
  return {
    namespace: 'backstage',
    host: 'backstage.example.com',
    issuer: OidcIssuer.okta({ domain: 'example.okta.com' }),
    clientId: 'client-123',
    access: { emailDomains: ['example.com'] },
    ...overrides,
    // Variables are only declared when the test does not bring its own secret.
    clientSecret: overrides.clientSecret ?? variableSecret(stack, 'oidc_client_secret'),
    cookieSecret: overrides.cookieSecret ?? variableSecret(stack, 'cookie_secret'),
  };
}

/** Synthesizes one gateway with id `gw` and returns its JSON. */
function synthGateway(overrides: (stack: TerraformStack) => Partial<OidcGatewayProps> = () => ({})) {
  return synth((stack) => new OidcGateway(stack, 'gw', gatewayProps(stack, overrides(stack))));
}

/** Synthesizes a gateway with invalid props (`any`: tests pass what types forbid). */
const invalidGateway = (overrides: (stack: TerraformStack) => Record<string, unknown>) => () =>
  synth((stack) => new OidcGateway(stack, 'gw', { ...gatewayProps(stack), ...overrides(stack) } as any));

/** Asserts the problems a gateway with invalid props is refused with. */
function gatewayProblems(
  overrides: (stack: TerraformStack) => Record<string, unknown>,
  expected: readonly ExpectedProblem[],
) {
  return expectProblems(invalidGateway(overrides), expected);
}

const deploymentOf = (json: ReturnType<typeof synth>) =>
  resourceAt(json, 'kubernetes_deployment_v1', 'gw/Deployment');
const containerOf = (json: ReturnType<typeof synth>) => deploymentOf(json).spec.template.spec.container[0];
const argsOf = (json: ReturnType<typeof synth>): string[] => containerOf(json).args;
const alphaConfigOf = (json: ReturnType<typeof synth>) =>
  parse(resourceAt(json, 'kubernetes_config_map_v1', 'gw/Config').data['alpha-config.yaml']);
const podAnnotationsOf = (json: ReturnType<typeof synth>): Record<string, string> =>
  deploymentOf(json).spec.template.metadata.annotations;

describe('OidcGateway', () => {
  describe('container arguments', () => {
    it('runs oauth2-proxy in reverse-proxy mode with hardened cookies and the documented defaults', () => {
      expect(argsOf(synthGateway())).toEqual([
        '--alpha-config=/etc/oauth2-proxy/alpha-config.yaml',
        '--reverse-proxy=true',
        '--redirect-url=https://backstage.example.com/oauth2/callback',
        '--whitelist-domain=backstage.example.com',
        '--email-domain=example.com',
        '--cookie-name=_oauth2_proxy',
        '--cookie-secure=true',
        '--cookie-httponly=true',
        '--cookie-samesite=lax',
        '--cookie-csrf-samesite=lax',
        '--cookie-csrf-per-request=true',
        '--cookie-csrf-expire=15m',
        '--cookie-refresh=30m',
        '--cookie-expire=12h',
        '--session-store-type=cookie',
        '--skip-provider-button=true',
        '--silence-ping-logging=true',
      ]);
    });

    it('passes one --email-domain per allowed domain and never "*"', () => {
      const args = argsOf(synthGateway(() => ({ access: { emailDomains: ['example.com', 'example.org'] } })));
      expect(args.filter((a) => a.startsWith('--email-domain='))).toEqual([
        '--email-domain=example.com',
        '--email-domain=example.org',
      ]);
    });

    it('uses --email-domain=* only when groups alone decide (groups go to allowedGroups)', () => {
      const json = synthGateway(() => ({ access: { groups: ['platform-team'] } }));
      expect(argsOf(json).filter((a) => a.startsWith('--email-domain='))).toEqual(['--email-domain=*']);
      expect(alphaConfigOf(json).providers[0].allowedGroups).toEqual(['platform-team']);
    });

    it('uses --email-domain=* when allowAnyAuthenticatedUser is set explicitly', () => {
      const args = argsOf(synthGateway(() => ({ access: { allowAnyAuthenticatedUser: true } })));
      expect(args.filter((a) => a.startsWith('--email-domain='))).toEqual(['--email-domain=*']);
    });

    it('renders cookie name, domain, SameSite, refresh and expire from the cookie options', () => {
      const args = argsOf(
        synthGateway(() => ({
          cookie: {
            name: 'portal_session',
            domain: '.example.com',
            sameSite: 'strict',
            refresh: '15m',
            expire: '8h',
          },
        })),
      );
      expect(args).toContain('--cookie-name=portal_session');
      expect(args).toContain('--cookie-domain=.example.com');
      expect(args).toContain('--cookie-samesite=strict');
      // The CSRF cookie must survive the redirect back from the IdP, so it stays lax.
      expect(args).toContain('--cookie-csrf-samesite=lax');
      expect(args).toContain('--cookie-refresh=15m');
      expect(args).toContain('--cookie-expire=8h');
    });

    it('leaves the cookie host-only when no cookie domain is given', () => {
      expect(argsOf(synthGateway()).some((a) => a.startsWith('--cookie-domain'))).toBe(false);
    });

    it('points at Redis when sessions live there', () => {
      const args = argsOf(
        synthGateway(() => ({
          sessionStore: SessionStore.redis({ url: 'rediss://redis.backstage.svc:6379' }),
        })),
      );
      expect(args).toContain('--session-store-type=redis');
      expect(args).toContain('--redis-connection-url=rediss://redis.backstage.svc:6379');
    });

    it('lets JWT machine clients through by issuer and audience only when there are some', () => {
      expect(
        argsOf(synthGateway()).some(
          (a) => a.startsWith('--skip-jwt-bearer-tokens') || a.startsWith('--extra-jwt-issuers'),
        ),
      ).toBe(false);

      const args = argsOf(
        synthGateway(() => ({
          machineClients: [
            MachineClient.jwt({
              issuerUrl: 'https://token.actions.githubusercontent.com',
              audience: 'backstage-machines',
              jwksUrl: 'https://token.actions.githubusercontent.com/.well-known/jwks',
              emailDomain: 'example.com',
            }),
          ],
        })),
      );
      expect(args).toContain('--skip-jwt-bearer-tokens=true');
      expect(args).toContain(
        '--extra-jwt-issuers=https://token.actions.githubusercontent.com=backstage-machines',
      );
    });
  });

  describe('alpha config', () => {
    it('configures the OIDC provider with PKCE and a client secret read from the mounted Secret', () => {
      const provider = alphaConfigOf(
        synthGateway(() => ({ access: { emailDomains: ['example.com'], groups: ['platform'] } })),
      ).providers[0];
      expect(provider).toMatchObject({
        provider: 'oidc',
        clientID: 'client-123',
        clientSecretFile: '/etc/oauth2-proxy/client-secret/value',
        code_challenge_method: 'S256',
        allowedGroups: ['platform'],
        oidcConfig: { issuerURL: 'https://example.okta.com', insecureSkipNonce: false },
      });
      expect(provider).not.toHaveProperty('clientSecret');
    });

    it('injects exactly the identity headers of the contract, with nested claimSource and "Bearer " on the ID token', () => {
      const config = alphaConfigOf(synthGateway());
      expect(config.injectResponseHeaders).toEqual([
        { name: 'X-Forwarded-User', values: [{ claimSource: { claim: 'user' } }] },
        { name: 'X-Forwarded-Email', values: [{ claimSource: { claim: 'email' } }] },
        {
          name: 'X-Forwarded-Preferred-Username',
          values: [{ claimSource: { claim: 'preferred_username' } }],
        },
        {
          name: 'X-OAUTH2-PROXY-ID-TOKEN',
          values: [{ claimSource: { claim: 'id_token', prefix: 'Bearer ' } }],
        },
      ]);
      // The same names the ingress copies; Authorization is not among them.
      expect(config.injectResponseHeaders.map((h: { name: string }) => h.name).join(',')).toBe(
        ingressAuthResponseHeaders(),
      );
    });

    it('answers auth requests with a static 202 upstream and binds the service port', () => {
      const config = alphaConfigOf(synthGateway());
      expect(config.upstreamConfig.upstreams).toEqual([
        { id: 'auth-only', path: '/', static: true, staticCode: 202 },
      ]);
      expect(config.server).toEqual({ bindAddress: '0.0.0.0:4180' });
    });
  });

  describe('secrets', () => {
    it('reads the cookie secret from a secretKeyRef, never a literal value', () => {
      const env = containerOf(synthGateway()).env;
      expect(env).toEqual([
        {
          name: 'OAUTH2_PROXY_COOKIE_SECRET',
          value_from: { secret_key_ref: { name: 'cookie-secret', key: 'value' } },
        },
      ]);
      expect(env[0]).not.toHaveProperty('value');
    });

    it('mounts the client secret read-only as a single-key volume', () => {
      const json = synthGateway(() => ({ clientSecret: SecretRef.fromSecret('oidc', 'client-secret') }));
      const spec = deploymentOf(json).spec.template.spec;
      expect(spec.volume).toContainEqual({
        name: 'client-secret',
        secret: { secret_name: 'oidc', items: [{ key: 'client-secret', path: 'client-secret' }] },
      });
      expect(spec.container[0].volume_mount).toContainEqual({
        name: 'client-secret',
        mount_path: '/etc/oauth2-proxy/client-secret',
        read_only: true,
      });
      expect(alphaConfigOf(json).providers[0].clientSecretFile).toBe(
        '/etc/oauth2-proxy/client-secret/client-secret',
      );
    });

    it('rolls the pods when a Terraform-managed secret changes, through a salted hash of each value known at plan time', () => {
      const annotation = podAnnotationsOf(synthGateway())['checksum/secrets'] ?? '';
      expect(annotation).toMatch(/^\$\{sha256\(join\(",", \[.*\]\)\)\}$/);
      expect(annotation).toMatch(
        /sha256\(join\(":", \[kubernetes_secret_v1\.gw_Secret-oidc-client-secret_[0-9A-F]+\.metadata\[0\]\.uid, var\.oidc_client_secret\]\)\)/,
      );
      expect(annotation).toMatch(
        /sha256\(join\(":", \[kubernetes_secret_v1\.gw_Secret-cookie-secret_[0-9A-F]+\.metadata\[0\]\.uid, var\.cookie_secret\]\)\)/,
      );
      // resource_version only changes during the apply: a rotated value would plan no pod change.
      expect(annotation).not.toContain('resource_version');
    });

    it('asks Reloader to restart the pods for existing and external secrets (and has no secrets checksum then)', () => {
      const json = synthGateway(() => ({
        clientSecret: SecretRef.fromSecret('oidc', 'client-secret'),
        cookieSecret: SecretRef.fromExternalSecret({
          store: { name: 'aws', kind: 'ClusterSecretStore' },
          remoteKey: 'backstage/cookie-secret',
        }),
      }));
      const deployment = deploymentOf(json);
      expect(deployment.metadata.annotations).toEqual({
        'secret.reloader.stakater.com/reload': 'oidc,backstage-cookie-secret',
      });
      expect(podAnnotationsOf(json)).not.toHaveProperty('checksum/secrets');
    });

    it('has no Reloader annotation when every secret is managed by this stack', () => {
      expect(deploymentOf(synthGateway()).metadata).not.toHaveProperty('annotations');
    });

    it('checks the cookie secret shape at plan time, on the Secret made from its variable', () => {
      const secrets = Object.values(resourcesOf(synthGateway(), 'kubernetes_secret_v1'));
      const checked = secrets.filter((s) => s.lifecycle);
      expect(checked.map((s) => s.data)).toEqual([{ value: '${var.cookie_secret}' }]);
      expect(checked[0].lifecycle.precondition).toEqual([
        {
          condition:
            '${contains([16, 24, 32], length(var.cookie_secret)) || (can(regex("^[A-Za-z0-9_-]+=*$", var.cookie_secret)) && contains([22, 32, 43], length(replace(var.cookie_secret, "/=+$/", ""))))}',
          error_message:
            "The oauth2-proxy cookie secret in variable cookie_secret must be 16, 24 or 32 bytes: raw, or URL-safe base64 of that many bytes. Generate one with: openssl rand -base64 32 | tr -- '+/' '-_'",
        },
      ]);
    });

    it('checks the cookie secret once per Secret when the variable is bound in two namespaces', () => {
      const json = synth((stack) => {
        const cookieSecret = variableSecret(stack, 'cookie_secret');
        const clientSecret = variableSecret(stack, 'oidc_client_secret');
        new OidcGateway(stack, 'gw', gatewayProps(stack, { cookieSecret, clientSecret }));
        new OidcGateway(
          stack,
          'gw2',
          gatewayProps(stack, { cookieSecret, clientSecret, namespace: 'backstage-2' }),
        );
      });
      const checked = Object.values(resourcesOf(json, 'kubernetes_secret_v1')).filter((s) => s.lifecycle);
      expect(checked.map((s) => [s.metadata.namespace, s.lifecycle.precondition.length])).toEqual([
        ['backstage', 1],
        ['backstage-2', 1],
      ]);
    });
  });

  describe('pod hardening and availability', () => {
    it('probes /ready and /ping on the http port', () => {
      const container = containerOf(synthGateway());
      expect(container.readiness_probe.http_get).toEqual({ path: '/ready', port: 'http' });
      expect(container.liveness_probe.http_get).toEqual({ path: '/ping', port: 'http' });
    });

    it('runs non-root with a read-only root filesystem, no capabilities, no privilege escalation and RuntimeDefault seccomp', () => {
      const json = synthGateway();
      const pod = deploymentOf(json).spec.template.spec;
      expect(pod.security_context).toMatchObject({
        run_as_non_root: true,
        seccomp_profile: { type: 'RuntimeDefault' },
      });
      expect(pod.container[0].security_context).toMatchObject({
        run_as_non_root: true,
        read_only_root_filesystem: true,
        allow_privilege_escalation: false,
        privileged: false,
        capabilities: { drop: ['ALL'] },
        seccomp_profile: { type: 'RuntimeDefault' },
      });
      expect(pod.automount_service_account_token).toBe(false);
    });

    it('runs the pinned default image with two replicas and a PDB allowing one pod down', () => {
      const json = synthGateway();
      expect(containerOf(json).image).toBe('quay.io/oauth2-proxy/oauth2-proxy:v7.15.6');
      expect(deploymentOf(json).spec.replicas).toBe('2');
      expect(resourceAt(json, 'kubernetes_pod_disruption_budget_v1', 'gw/Pdb').spec.max_unavailable).toBe(
        '1',
      );
    });

    it('admits only the ingress-nginx controller on port 4180', () => {
      const policy = resourceAt(synthGateway(), 'kubernetes_network_policy_v1', 'gw/NetworkPolicy');
      expect(policy.spec.policy_types).toEqual(['Ingress']);
      expect(policy.spec.ingress).toEqual([
        {
          from: [
            {
              namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
              pod_selector: {
                match_labels: {
                  'app.kubernetes.io/name': 'ingress-nginx',
                  'app.kubernetes.io/component': 'controller',
                },
              },
            },
          ],
          ports: [{ port: '4180', protocol: 'TCP' }],
        },
      ]);
    });

    it('admits a custom ingress controller selector instead when given', () => {
      const policy = resourceAt(
        synthGateway(() => ({
          ingressController: { namespaceLabels: { 'kubernetes.io/metadata.name': 'nginx-f5' } },
        })),
        'kubernetes_network_policy_v1',
        'gw/NetworkPolicy',
      );
      expect(policy.spec.ingress[0].from).toEqual([
        { namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'nginx-f5' } } },
      ]);
    });

    it('keeps the checksum when the content is the same but other tokens were created before (token numbers are not content)', () => {
      const checksum = (tokensFirst: number) =>
        podAnnotationsOf(
          synth((stack) => {
            // Each token made here takes a number before the gateway's tokens.
            for (let i = 0; i < tokensFirst; i++)
              void new TerraformVariable(stack, `unrelated_${i}`, { type: 'string' }).stringValue;
            const namespace = new TerraformVariable(stack, 'namespace', { type: 'string' }).stringValue;
            new OidcGateway(stack, 'gw', {
              ...gatewayProps(stack),
              namespace,
              upstream: { serviceName: 'backstage', port: 7007 },
            });
          }),
        )['checksum/config'];
      expect(checksum(0)).toMatch(/^[0-9a-f]{32}-\$\{sha256\(/);
      expect(checksum(3)).toBe(checksum(0));
    });

    it("admits networks outside the cluster (a cloud load balancer's proxies), alone or beside the controller pods", () => {
      const fromOf = (json: TfJson) =>
        resourceAt(json, 'kubernetes_network_policy_v1', 'gw/NetworkPolicy').spec.ingress[0].from;
      expect(
        fromOf(synthGateway(() => ({ dataPlaneSourceRanges: ['35.191.0.0/16', '2600:2d00:1:1::/64'] }))),
      ).toEqual([{ ip_block: { cidr: '35.191.0.0/16' } }, { ip_block: { cidr: '2600:2d00:1:1::/64' } }]);
      expect(
        fromOf(
          synthGateway(() => ({
            dataPlaneSourceRanges: ['10.0.0.0/24'],
            ingressController: { namespaceLabels: { 'kubernetes.io/metadata.name': 'gw' } },
          })),
        ),
      ).toEqual([
        { namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'gw' } } },
        { ip_block: { cidr: '10.0.0.0/24' } },
      ]);
    });

    it('rolls the pods when the configuration changes, and only then', () => {
      const checksum = (refresh: string) =>
        podAnnotationsOf(synthGateway(() => ({ cookie: { refresh } })))['checksum/config'];
      expect(checksum('30m')).toMatch(/^[0-9a-f]{64}$/);
      expect(checksum('30m')).toBe(checksum('30m'));
      expect(checksum('15m')).not.toBe(checksum('30m'));
      const withClient = (clientId: string) =>
        podAnnotationsOf(synthGateway(() => ({ clientId })))['checksum/config'];
      expect(withClient('client-a')).not.toBe(withClient('client-b'));
    });
  });

  describe('validation', () => {
    it('refuses a host that is not a DNS name', () => {
      gatewayProblems(
        () => ({ host: 'https://backstage.example.com/' }),
        [
          {
            where: 'test/gw',
            path: 'host',
            says: ['must be a fully qualified DNS name', 'got "https://backstage.example.com/"'],
          },
        ],
      );
    });

    it('refuses a client id with whitespace in it, as the portal does (it goes into the alpha config verbatim)', () => {
      gatewayProblems(
        () => ({ clientId: ' client-123' }),
        [
          {
            where: 'test/gw',
            path: 'clientId',
            says: ['must not contain spaces, line breaks or control characters', 'got " client-123"'],
          },
        ],
      );
      gatewayProblems(
        () => ({ clientId: '' }),
        [{ where: 'test/gw', path: 'clientId', says: ['must not be empty', 'got ""'] }],
      );
    });

    it('refuses a cookie domain that does not cover the host', () => {
      gatewayProblems(
        () => ({ cookie: { domain: '.example.org' } }),
        [
          {
            where: 'test/gw',
            path: 'cookie.domain',
            says: ['does not cover the host "backstage.example.com"', 'got ".example.org"'],
          },
        ],
      );
    });

    it('accepts a parent cookie domain with or without the leading dot', () => {
      expect(() => synthGateway(() => ({ cookie: { domain: 'example.com' } }))).not.toThrow();
      expect(() => synthGateway(() => ({ cookie: { domain: '.backstage.example.com' } }))).not.toThrow();
    });

    it('refuses a cookie refresh that is not shorter than the expiry', () => {
      gatewayProblems(
        () => ({ cookie: { refresh: '12h' } }),
        [
          {
            where: 'test/gw',
            path: 'cookie.refresh',
            says: ['must be shorter than cookie.expire (12h)', 'got "12h"'],
          },
        ],
      );
    });

    it('shows the refresh in effect when a short expiry meets the default refresh', () => {
      // Only expire is set; the default refresh of 30m is what is too long.
      gatewayProblems(
        () => ({ cookie: { expire: '10m' } }),
        [
          {
            where: 'test/gw',
            path: 'cookie.refresh',
            says: ['must be shorter than cookie.expire (10m)', 'got "30m"'],
          },
        ],
      );
    });

    it('refuses a cookie name nginx cannot read and an unknown SameSite value', () => {
      gatewayProblems(
        () => ({ cookie: { name: 'portal-session', sameSite: 'None' } }),
        [
          {
            where: 'test/gw',
            path: 'cookie.name',
            says: ['must be a cookie name of letters, digits and "_"', 'got "portal-session"'],
          },
          {
            where: 'test/gw',
            path: 'cookie.sameSite',
            says: ['must be "lax", "strict" or "none"', 'got "None"'],
          },
        ],
      );
    });

    it('refuses an access policy without any rule', () => {
      gatewayProblems(
        () => ({ access: {} }),
        [
          {
            where: 'test/gw',
            path: 'access',
            says: [
              'needs at least one access rule',
              'got {}',
              'set allowAnyAuthenticatedUser: true explicitly',
            ],
          },
        ],
      );
    });

    it('refuses "*" as an e-mail domain', () => {
      gatewayProblems(
        () => ({ access: { emailDomains: ['*'] } }),
        [
          {
            where: 'test/gw',
            path: 'access.emailDomains',
            says: ['must not contain "*"', 'got ["*"]', 'Use allowAnyAuthenticatedUser: true'],
          },
        ],
      );
    });

    it('refuses allowAnyAuthenticatedUser together with rules', () => {
      gatewayProblems(
        () => ({ access: { emailDomains: ['example.com'], allowAnyAuthenticatedUser: true } }),
        [
          {
            where: 'test/gw',
            path: 'access.allowAnyAuthenticatedUser',
            says: ['contradicts the emailDomains/groups rules', 'got true'],
          },
        ],
      );
    });

    it('refuses an upper-case e-mail domain', () => {
      gatewayProblems(
        () => ({ access: { emailDomains: ['Example.com'] } }),
        [
          {
            where: 'test/gw',
            path: 'access.emailDomains[0]',
            says: ['must be a domain name such as "example.com"', 'got "Example.com"'],
          },
        ],
      );
    });

    it('refuses a latest or untagged image', () => {
      gatewayProblems(
        () => ({ image: 'oauth2-proxy/oauth2-proxy:latest' }),
        [
          {
            where: 'test/gw',
            path: 'image',
            says: [
              'must be pinned to a version tag or a digest, not "latest" or untagged',
              'got "oauth2-proxy/oauth2-proxy:latest"',
            ],
          },
        ],
      );
      gatewayProblems(
        () => ({ image: 'registry.example.com:5000/oauth2-proxy' }),
        [
          {
            where: 'test/gw',
            path: 'image',
            says: [
              'must be pinned to a version tag or a digest, not "latest" or untagged',
              'got "registry.example.com:5000/oauth2-proxy"',
            ],
          },
        ],
      );
    });

    it('refuses invalid Kubernetes names', () => {
      gatewayProblems(
        () => ({ namespace: 'Back_Stage', name: 'oauth2-proxy-' }),
        [
          {
            where: 'test/gw',
            path: 'namespace',
            says: ['must be a valid Kubernetes name (RFC 1123 label)', 'got "Back_Stage"'],
          },
          {
            where: 'test/gw',
            path: 'name',
            says: ['must be a valid Kubernetes name (RFC 1123 label)', 'got "oauth2-proxy-"'],
          },
        ],
      );
    });

    it('refuses plain strings as secrets without echoing them', () => {
      const fix = 'Use SecretRef.fromSecret(name, key), SecretRef.fromVariable(sensitiveVariable)';
      const what =
        'must be a SecretRef, not a plain value: a literal would be written into the synthesized Terraform JSON';
      const problems = gatewayProblems(
        () => ({ clientSecret: 'client-secret-literal-1', cookieSecret: 'cookie-secret-literal-2' }),
        [
          { where: 'test/gw', path: 'clientSecret', says: [what, 'got a plain value (hidden)', fix] },
          { where: 'test/gw', path: 'cookieSecret', says: [what, 'got a plain value (hidden)', fix] },
        ],
      );
      const message = problems.map((p) => p.message).join('\n');
      expect(message).not.toContain('client-secret-literal-1');
      expect(message).not.toContain('cookie-secret-literal-2');
    });

    it('sends HSTS only in the request path, with a max age of a day at least, and admits only real networks', () => {
      const upstream = { serviceName: 'backstage', port: 7007 };
      expect(
        alphaConfigOf(synthGateway(() => ({ upstream, hsts: { includeSubdomains: false } })))
          .injectResponseHeaders,
      ).toEqual([
        { name: 'Strict-Transport-Security', values: [{ secretSource: { value: 'max-age=31536000' } }] },
      ]);
      expect(alphaConfigOf(synthGateway(() => ({ upstream }))).injectResponseHeaders).toBeUndefined();
      gatewayProblems(
        () => ({ hsts: {} }),
        [
          {
            where: 'test/gw',
            path: 'hsts',
            says: ['only works when oauth2-proxy is in the request path (upstream)', 'got {}'],
          },
        ],
      );
      gatewayProblems(
        () => ({
          upstream,
          hsts: { maxAgeSeconds: 3600 },
          dataPlaneSourceRanges: ['10.0.0.0/33'],
        }),
        [
          { where: 'test/gw', path: 'dataPlaneSourceRanges[0]', says: 'got "10.0.0.0/33"' },
          {
            where: 'test/gw',
            path: 'hsts.maxAgeSeconds',
            says: ['must be at least one day (86400)', 'got 3600', 'use 31536000 (one year)'],
          },
        ],
      );
    });

    it('reports a misspelled prop', () => {
      gatewayProblems(
        () => ({ replica: 3 }),
        [{ where: 'test/gw', path: 'replica', says: ['is not a known property', 'got 3'] }],
      );
    });

    it('refuses zero replicas and an empty controller selector', () => {
      gatewayProblems(
        () => ({ replicas: 0, ingressController: { namespaceLabels: {} } }),
        [
          { where: 'test/gw', path: 'replicas', says: ['replicas must be at least 1', 'got 0'] },
          {
            where: 'test/gw',
            path: 'ingressController.namespaceLabels',
            says: ['must select at least one label', 'got {}'],
          },
        ],
      );
    });

    it('reports several problems in one error, one line each', () => {
      const problems = problemsOf(
        invalidGateway(() => ({
          namespace: 'Backstage',
          host: 'not a host',
          image: 'oauth2-proxy/oauth2-proxy:latest',
          cookie: { refresh: '13h' },
        })),
      );
      expect(problems.map((p) => [p.where, p.path])).toEqual([
        ['test/gw', 'namespace'],
        ['test/gw', 'host'],
        ['test/gw', 'image'],
        ['test/gw', 'cookie.refresh'],
      ]);
      expect(problems.every((p) => p.message.startsWith('[test/gw] '))).toBe(true);
    });

    it('accepts allowAnyAuthenticatedUser: true as the only rule', () => {
      expect(() => synthGateway(() => ({ access: { allowAnyAuthenticatedUser: true } }))).not.toThrow();
    });
  });
});
