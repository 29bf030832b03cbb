import { TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';

import {
  Backstage,
  BackstageDatabase,
  BackstagePortal,
  type BoundSecret,
  type ExternalSecretOptions,
  SecretRef,
} from '../../lib';
import {
  expectProblems,
  portalProps,
  resourceAt,
  resourcesOf,
  synth,
  type TfJson,
  variableSecret,
} from '../helpers';

const store = { name: 'aws-secrets-manager', kind: 'ClusterSecretStore' } as const;

/** Binds `ref` in each (consumer id, namespace) pair and returns the bound secrets and the JSON. */
function bindAll(
  ref: (stack: TerraformStack) => SecretRef,
  bindings: Array<[consumer: string, namespace: string]>,
) {
  const bound: BoundSecret[] = [];
  const json = synth((stack) => {
    const secret = ref(stack);
    for (const [consumer, namespace] of bindings) {
      const scope =
        (stack.node.tryFindChild(consumer) as Construct | undefined) ?? new Construct(stack, consumer);
      bound.push(secret.bind({ scope, namespace }));
    }
  });
  return { json, bound };
}

function backstageWith(stack: TerraformStack, id: string, secretEnv: Record<string, SecretRef>): Backstage {
  return new Backstage(stack, id, {
    namespace: 'backstage',
    name: id,
    host: 'backstage.example.com',
    image: 'registry.example.com/platform/backstage:1.4.2',
    database: BackstageDatabase.sqliteInMemory(),
    replicas: 1,
    secretEnv,
  });
}

const secretKeyRef = (json: TfJson, deploymentPath: string, env: string) =>
  resourceAt(json, 'kubernetes_deployment_v1', deploymentPath).spec.template.spec.container[0].env.find(
    (e: any) => e.name === env,
  )?.value_from?.secret_key_ref;

const manifestsIn = (json: TfJson): any[] => Object.values(resourcesOf(json, 'kubernetes_manifest'));

describe('SecretRef', () => {
  describe('fromVariable', () => {
    it('stores the variable in a managed Secret that only references ${var.<name>}', () => {
      const { json, bound } = bindAll(
        (stack) => variableSecret(stack, 'github_token'),
        [['consumer', 'backstage']],
      );
      const secret = resourceAt(json, 'kubernetes_secret_v1', 'consumer/Secret-github-token');
      expect(secret.metadata).toMatchObject({
        name: 'github-token',
        namespace: 'backstage',
        labels: { 'app.kubernetes.io/managed-by': 'cdktf-backstage' },
      });
      expect(secret.type).toBe('Opaque');
      expect(secret.data).toEqual({ value: '${var.github_token}' });
      expect(json.variable?.github_token).toEqual({ type: 'string', sensitive: true });
      expect(bound[0]).toMatchObject({ secretName: 'github-token', key: 'value', owner: 'terraform' });
    });

    it('uses the given Secret name and key', () => {
      const { json, bound } = bindAll(
        (stack) =>
          SecretRef.fromVariable(new TerraformVariable(stack, 'gh', { type: 'string', sensitive: true }), {
            secretName: 'github',
            key: 'token',
          }),
        [['consumer', 'backstage']],
      );
      const [secret] = Object.values(resourcesOf(json, 'kubernetes_secret_v1'));
      expect(secret.metadata.name).toBe('github');
      expect(secret.data).toEqual({ token: '${var.gh}' });
      expect(bound[0]).toMatchObject({ secretName: 'github', key: 'token' });
    });

    it('creates one Secret per variable and namespace, however many consumers bind it', () => {
      const { json, bound } = bindAll(
        (stack) => variableSecret(stack, 'github_token'),
        [
          ['a', 'backstage'],
          ['b', 'backstage'],
          ['c', 'staging'],
        ],
      );
      const secrets = Object.values(resourcesOf(json, 'kubernetes_secret_v1'));
      expect(secrets.map((s) => s.metadata.namespace).sort()).toEqual(['backstage', 'staging']);
      expect(bound[1]).toBe(bound[0]);
      expect(bound[2]).not.toBe(bound[0]);
    });

    it('shares the Secret between two Backstage deployments in one namespace', () => {
      const json = synth((stack) => {
        const token = variableSecret(stack, 'github_token');
        backstageWith(stack, 'one', { GITHUB_TOKEN: token });
        backstageWith(stack, 'two', { GITHUB_TOKEN: token });
      });
      const secrets = Object.entries(resourcesOf(json, 'kubernetes_secret_v1'));
      expect(secrets).toHaveLength(1);
      for (const path of ['one/Deployment', 'two/Deployment']) {
        expect(secretKeyRef(json, path, 'GITHUB_TOKEN')).toEqual({ name: 'github-token', key: 'value' });
        expect(resourceAt(json, 'kubernetes_deployment_v1', path).depends_on).toEqual([
          `kubernetes_secret_v1.${secrets[0]![0]}`,
        ]);
      }
    });

    it('exposes a salted hash of the value as its revision, known at plan time, so pods roll when it changes', () => {
      const { bound } = bindAll(
        (stack) => variableSecret(stack, 'github_token'),
        [['consumer', 'backstage']],
      );
      expect(bound[0]!.revision).toEqual(expect.any(String));
      expect(bound[0]!.dependsOn).toHaveLength(1);
      const json = synth((stack) =>
        backstageWith(stack, 'bs', { GITHUB_TOKEN: variableSecret(stack, 'github_token') }),
      );
      const [secretId] = Object.keys(resourcesOf(json, 'kubernetes_secret_v1'));
      expect(
        resourceAt(json, 'kubernetes_deployment_v1', 'bs/Deployment').spec.template.metadata.annotations[
          'checksum/secrets'
        ],
      ).toContain(`sha256(join(":", [kubernetes_secret_v1.${secretId}.metadata[0].uid, var.github_token]))`);
    });

    it('refuses a variable that is not sensitive', () => {
      expectProblems(
        () =>
          bindAll(
            (stack) =>
              SecretRef.fromVariable(new TerraformVariable(stack, 'github_token', { type: 'string' })),
            [['consumer', 'backstage']],
          ),
        [
          {
            where: 'test/consumer',
            path: 'secret',
            says: ['variable "github_token" is not declared sensitive', 'sensitive: true'],
          },
        ],
      );
    });

    it('refuses a sensitive variable with a default value, without echoing it', () => {
      const [problem] = expectProblems(
        () =>
          bindAll(
            (stack) =>
              SecretRef.fromVariable(
                new TerraformVariable(stack, 'github_token', {
                  type: 'string',
                  sensitive: true,
                  default: 'ghp_hunter2',
                }),
              ),
            [['consumer', 'backstage']],
          ),
        [
          {
            where: 'test/consumer',
            path: 'secret',
            says: [
              'variable "github_token" has a default value',
              'got {"default":"(hidden)"}',
              'Remove the default',
            ],
          },
        ],
      );
      expect(problem!.message).not.toContain('hunter2');
    });

    it("names the consumer's prop when a consumer binds a non-sensitive variable", () => {
      expectProblems(
        () =>
          synth((stack) =>
            backstageWith(stack, 'bs', {
              GITHUB_TOKEN: SecretRef.fromVariable(
                new TerraformVariable(stack, 'github_token', { type: 'string' }),
              ),
            }),
          ),
        [
          {
            where: 'test/bs',
            path: 'secretEnv.GITHUB_TOKEN',
            says: 'variable "github_token" is not declared sensitive',
          },
        ],
      );
    });

    it('refuses an invalid Secret name or key', () => {
      expectProblems(
        () =>
          bindAll(
            (stack) =>
              SecretRef.fromVariable(
                new TerraformVariable(stack, 'gh', { type: 'string', sensitive: true }),
                { secretName: 'GitHub', key: 'a/b' },
              ),
            [['consumer', 'backstage']],
          ),
        [
          {
            where: 'test/consumer',
            path: 'secretName',
            says: ['must be a valid Kubernetes object name', 'got "GitHub"'],
          },
          { where: 'test/consumer', path: 'key', says: ['must be a valid Secret key', 'got "a/b"'] },
        ],
      );
    });

    describe('expectCookieSecret', () => {
      const CONDITION =
        '${contains([16, 24, 32], length(var.cookie_secret)) || (can(regex("^[A-Za-z0-9_-]+=*$", var.cookie_secret)) && contains([22, 32, 43], length(replace(var.cookie_secret, "/=+$/", ""))))}';

      const PRECONDITION = {
        condition: CONDITION,
        error_message:
          "The oauth2-proxy cookie secret in variable cookie_secret must be 16, 24 or 32 bytes: raw, or URL-safe base64 of that many bytes. Generate one with: openssl rand -base64 32 | tr -- '+/' '-_'",
      };
      const secretsOf = (json: TfJson) => Object.values(resourcesOf(json, 'kubernetes_secret_v1'));

      it('puts the cookie-secret shape check on the Secret made from the variable, once, whether asked before or after binding', () => {
        const json = synth((stack) => {
          const ref = variableSecret(stack, 'cookie_secret');
          ref.bind({ scope: new Construct(stack, 'before'), namespace: 'a' });
          ref.expectCookieSecret();
          ref.expectCookieSecret();
          ref.bind({ scope: new Construct(stack, 'after'), namespace: 'b' });
        });
        expect(secretsOf(json).map((s) => s.lifecycle)).toEqual([
          { precondition: [PRECONDITION] },
          { precondition: [PRECONDITION] },
        ]);
        // Not a variable validation: Terraform 1.11 prints the value of a variable whose validation fails.
        expect(json.variable?.cookie_secret).not.toHaveProperty('validation');
      });

      it('is added by the portal to the cookie secret only', () => {
        const json = synth((stack) => new BackstagePortal(stack, 'portal', portalProps(stack)));
        const withCheck = secretsOf(json).filter((s) => s.lifecycle);
        expect(withCheck.map((s) => s.metadata.name)).toEqual(['cookie-secret']);
        expect(withCheck[0].lifecycle.precondition).toEqual([PRECONDITION]);
      });

      it('is a no-op for existing and external secrets', () => {
        expect(() =>
          SecretRef.fromSecret('oauth2-proxy', 'cookie-secret').expectCookieSecret(),
        ).not.toThrow();
        expect(() =>
          SecretRef.fromExternalSecret({ store, remoteKey: 'prod/cookie' }).expectCookieSecret(),
        ).not.toThrow();
      });
    });
  });

  describe('fromSecret', () => {
    it('passes the Secret name and key through and creates nothing', () => {
      const { json, bound } = bindAll(
        () => SecretRef.fromSecret('github-app', 'private-key.pem'),
        [['consumer', 'backstage']],
      );
      expect(bound[0]).toEqual({
        secretName: 'github-app',
        key: 'private-key.pem',
        owner: 'user',
        dependsOn: [],
      });
      expect(json.resource ?? {}).toEqual({});
    });

    it('is referenced by a secretKeyRef', () => {
      const json = synth((stack) =>
        backstageWith(stack, 'bs', { GITHUB_TOKEN: SecretRef.fromSecret('github-app', 'token') }),
      );
      expect(secretKeyRef(json, 'bs/Deployment', 'GITHUB_TOKEN')).toEqual({
        name: 'github-app',
        key: 'token',
      });
    });

    it('refuses an invalid Secret name', () => {
      expectProblems(
        () => bindAll(() => SecretRef.fromSecret('GitHub App', 'token'), [['consumer', 'backstage']]),
        [
          {
            where: 'test/consumer',
            path: 'secretName',
            says: ['must be a valid Kubernetes object name', 'got "GitHub App"'],
          },
        ],
      );
    });

    it('describes itself without any value', () => {
      expect(SecretRef.fromSecret('github-app', 'token').describe()).toBe('Secret github-app/token');
    });
  });

  describe('fromExternalSecret', () => {
    const external =
      (options: Partial<ExternalSecretOptions> = {}) =>
      () =>
        SecretRef.fromExternalSecret({ store, remoteKey: 'prod/backstage/github', ...options });

    it('creates an external-secrets.io/v1 ExternalSecret owning the target Secret', () => {
      const { json, bound } = bindAll(external(), [['consumer', 'backstage']]);
      const resource = resourceAt(
        json,
        'kubernetes_manifest',
        'consumer/ExternalSecret-prod-backstage-github/Resource',
      );
      expect(resource.manifest).toEqual({
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: {
          name: 'prod-backstage-github',
          namespace: 'backstage',
          labels: { 'app.kubernetes.io/managed-by': 'cdktf-backstage' },
        },
        spec: {
          refreshInterval: '1h',
          secretStoreRef: { name: 'aws-secrets-manager', kind: 'ClusterSecretStore' },
          target: {
            name: 'prod-backstage-github',
            creationPolicy: 'Owner',
            template: { metadata: { labels: { 'app.kubernetes.io/managed-by': 'external-secrets' } } },
          },
          data: [{ secretKey: 'value', remoteRef: { key: 'prod/backstage/github' } }],
        },
      });
      expect(bound[0]).toMatchObject({
        secretName: 'prod-backstage-github',
        key: 'value',
        owner: 'external-secrets',
      });
      expect(bound[0]!.revision).toBeUndefined();
    });

    it('passes property, version, refresh interval, Secret name and key through', () => {
      const { json, bound } = bindAll(
        external({
          store: { name: 'team-vault', kind: 'SecretStore' },
          property: 'token',
          version: 'v3',
          refreshInterval: '15m',
          secretName: 'github',
          key: 'token',
        }),
        [['consumer', 'backstage']],
      );
      const { spec } = resourceAt(
        json,
        'kubernetes_manifest',
        'consumer/ExternalSecret-github/Resource',
      ).manifest;
      expect(spec.refreshInterval).toBe('15m');
      expect(spec.secretStoreRef).toEqual({ name: 'team-vault', kind: 'SecretStore' });
      expect(spec.target.name).toBe('github');
      expect(spec.data).toEqual([
        { secretKey: 'token', remoteRef: { key: 'prod/backstage/github', property: 'token', version: 'v3' } },
      ]);
      expect(bound[0]).toMatchObject({ secretName: 'github', key: 'token' });
    });

    it('creates one ExternalSecret per namespace, however many consumers bind it', () => {
      const { json, bound } = bindAll(external(), [
        ['a', 'backstage'],
        ['b', 'backstage'],
        ['c', 'staging'],
      ]);
      expect(
        manifestsIn(json)
          .map((m) => m.manifest.metadata.namespace)
          .sort(),
      ).toEqual(['backstage', 'staging']);
      expect(bound[1]).toBe(bound[0]);
    });

    it('keeps two properties of one remote secret apart', () => {
      const bound: BoundSecret[] = [];
      const json = synth((stack) => {
        const consumer = new Construct(stack, 'consumer');
        for (const property of ['token', 'webhookSecret']) {
          bound.push(
            SecretRef.fromExternalSecret({ store, remoteKey: 'prod/github', property }).bind({
              scope: consumer,
              namespace: 'backstage',
            }),
          );
        }
      });
      expect(`${bound[0]!.secretName}/${bound[0]!.key}`).not.toBe(`${bound[1]!.secretName}/${bound[1]!.key}`);
      const synced = manifestsIn(json).flatMap((m) =>
        m.manifest.spec.data.map((d: any) => d.remoteRef.property),
      );
      expect(synced.sort()).toEqual(['token', 'webhookSecret']);
    });

    it('is wired into the Deployment as a secretKeyRef that waits for the ExternalSecret', () => {
      const json = synth((stack) => backstageWith(stack, 'bs', { GITHUB_TOKEN: external()() }));
      const [manifestId] = Object.keys(resourcesOf(json, 'kubernetes_manifest'));
      expect(secretKeyRef(json, 'bs/Deployment', 'GITHUB_TOKEN')).toEqual({
        name: 'prod-backstage-github',
        key: 'value',
      });
      expect(resourceAt(json, 'kubernetes_deployment_v1', 'bs/Deployment').depends_on).toEqual([
        `kubernetes_manifest.${manifestId}`,
      ]);
    });

    it('refuses an unknown store kind and an empty remote key', () => {
      expectProblems(
        () =>
          bindAll(
            () =>
              SecretRef.fromExternalSecret({
                store: { name: 'vault', kind: 'VaultStore' as never },
                remoteKey: '',
              }),
            [['consumer', 'backstage']],
          ),
        [
          {
            where: 'test/consumer',
            path: 'store.kind',
            says: ['must be "SecretStore" or "ClusterSecretStore"', 'got "VaultStore"'],
          },
          { where: 'test/consumer', path: 'remoteKey', says: 'must not be empty' },
        ],
      );
    });

    it('refuses a refresh interval that is not a duration', () => {
      expectProblems(
        () => bindAll(external({ refreshInterval: 'hourly' }), [['consumer', 'backstage']]),
        [{ where: 'test/consumer', path: 'refreshInterval', says: ['must be a duration', 'got "hourly"'] }],
      );
    });
  });

  it('recognises SecretRefs by brand, not plain strings or look-alikes', () => {
    expect(SecretRef.isSecretRef(SecretRef.fromSecret('a', 'b'))).toBe(true);
    expect(SecretRef.isSecretRef('ghp_plain')).toBe(false);
    expect(SecretRef.isSecretRef({ secretName: 'a', key: 'b', bind: () => undefined })).toBe(false);
  });
});

describe('SecretRef external secret collisions', () => {
  it('refuses two external secrets from different stores writing the same Secret', () => {
    expectProblems(
      () =>
        synth((stack) => {
          const consumer = new Construct(stack, 'consumer');
          SecretRef.fromExternalSecret({ store, remoteKey: 'prod/github' }).bind({
            scope: consumer,
            namespace: 'backstage',
          });
          SecretRef.fromExternalSecret({
            store: { name: 'vault', kind: 'ClusterSecretStore' },
            remoteKey: 'prod/github',
          }).bind({
            scope: consumer,
            namespace: 'backstage',
            prop: 'secretEnv.GITHUB_TOKEN',
          });
        }),
      [
        {
          where: 'test/consumer',
          path: 'secretEnv.GITHUB_TOKEN',
          says: [
            'writes Secret "prod-github" in namespace "backstage", which another external secret',
            'its own secretName',
          ],
        },
      ],
    );
  });
});
