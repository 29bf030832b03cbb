// An in-cluster agent (MachineAgent) in the deploy bed: its stack (apps/machine-agent.ts) is
// applied for real, the API server is asked what it holds (the ServiceAccount without an
// automounted token, the Deployment with the projected, audience-bound token volume, its pod
// admitted under Pod Security "restricted"), and then for a real token of that
// ServiceAccount (TokenRequest, `kubectl create token`), whose issuer, audience, subject and
// signature must be exactly what the agent's `machineClient()` admits. Last, the stack is
// destroyed and its namespace goes.
import { createPublicKey, type JsonWebKey, verify } from 'node:crypto';

import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';

import type { JwtMachineClientOptions } from '../../../lib';
import { AgentStack } from './apps/machine-agent-stack';
import type { Cluster } from './harness/cluster';
import type { CdktfProject } from './harness/project';
import { condition, eventually } from './harness/readback';

/** What the steps use of the scenario they run in. */
export interface MachineAgentContext {
  readonly cluster: () => Cluster;
  /** The agent app, with E2E_AGENT_ISSUER set to the cluster's issuer. */
  readonly agents: () => CdktfProject;
  readonly expectSuccess: (result: { code: number; output: string }, what: string) => void;
  readonly noChanges: (project: CdktfProject, stack: string) => Promise<void>;
  readonly record: (project: CdktfProject, stack: string, step: string, seconds: number) => void;
}

const STACK = 'dev-agent';

/** The parts of a compact JWS, the header and claims decoded. */
function decodeJwt(token: string) {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) throw new Error(`not a compact JWS: ${token.slice(0, 20)}...`);
  const json = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  return { header: json(header), claims: json(payload), signed: `${header}.${payload}`, signature };
}

export function machineAgentSteps(ctx: MachineAgentContext): void {
  describe('an in-cluster agent (MachineAgent) with a projected service-account token', () => {
    /** The same agent, built in this process: what the portal's machine client would admit. */
    const built = () => {
      const stack = new AgentStack(Testing.app(), STACK, ctx.cluster().serviceAccountIssuer);
      return {
        agent: stack.agent,
        client: stack.agent.machineClient().jwtOptions as JwtMachineClientOptions,
      };
    };

    it('deploys the agent: the API server holds its ServiceAccount and its Deployment with the projected token, and admits its pod', async () => {
      const cluster = ctx.cluster();
      const project = ctx.agents();
      await project.synth();
      const result = await project.deploy([STACK]);
      ctx.expectSuccess(result, `cdktf deploy ${STACK}`);
      ctx.record(project, STACK, 'deploy', result.seconds);
      const { agent } = built();

      const sa = await cluster.getJson(['serviceaccount', '-n', 'agents', 'catalog-agent']);
      expect(sa.automountServiceAccountToken).toBe(false);
      const deployment = await cluster.getJson(['deployment', '-n', 'agents', 'catalog-agent']);
      const pod = deployment.spec.template.spec;
      expect(pod.serviceAccountName).toBe('catalog-agent');
      expect(pod.automountServiceAccountToken).toBe(false);
      // The API server's defaults filled in (defaultMode), nothing else.
      expect(pod.volumes).toEqual([
        {
          name: 'backstage-token',
          projected: {
            defaultMode: 420,
            sources: [
              {
                serviceAccountToken: { audience: 'backstage-agents', expirationSeconds: 600, path: 'token' },
              },
            ],
          },
        },
        { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } },
      ]);
      expect(pod.volumes[0].projected.sources[0].serviceAccountToken).toEqual(
        agent.volume.projected[0]!.sources[0]!.serviceAccountToken,
      );
      const [container] = pod.containers;
      // mountPropagation: the provider writes its default.
      expect(container.volumeMounts).toEqual([
        {
          name: 'backstage-token',
          mountPath: '/var/run/secrets/backstage',
          readOnly: true,
          mountPropagation: 'None',
        },
        { name: 'tmp', mountPath: '/tmp', mountPropagation: 'None' },
      ]);
      expect(container.env).toEqual([
        { name: 'BACKSTAGE_JWT_FILE', value: '/var/run/secrets/backstage/token' },
        { name: 'BACKSTAGE_URL', value: 'https://api.backstage.dev.example.com' },
        { name: 'BACKSTAGE_MCP_URL', value: 'https://api.backstage.dev.example.com/api/mcp-actions/v1' },
        { name: 'LOG_LEVEL', value: 'info' },
      ]);
      expect(container.securityContext).toMatchObject({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      // Pod Security "restricted" is enforced on the namespace: the pod exists only if it passed.
      const ns = await cluster.getJson(['namespace', 'agents']);
      expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
      await eventually(
        'the agent Deployment Available',
        () => cluster.getJson(['deployment', '-n', 'agents', 'catalog-agent']),
        (d) => condition(d, 'Available') === 'True' && d.status.readyReplicas === 1,
      );
      const pods = await cluster.getJson<{ items: any[] }>(['pods', '-n', 'agents']);
      expect(pods.items.map((p) => p.spec.serviceAccountName)).toEqual(['catalog-agent']);
      await ctx.noChanges(project, STACK);
    });

    it("gets a real token for the agent's ServiceAccount (TokenRequest) whose issuer, audience, subject and signature its machine client admits", async () => {
      const cluster = ctx.cluster();
      const { agent, client } = built();
      const token = (
        await cluster.kubectl([
          'create',
          'token',
          agent.serviceAccountName,
          '-n',
          agent.namespace,
          '--audience',
          agent.audience,
          '--duration',
          '600s',
        ])
      ).trim();
      const { header, claims, signed, signature } = decodeJwt(token);
      expect(claims.iss).toBe(cluster.serviceAccountIssuer);
      expect(claims.iss).toBe(client.issuerUrl);
      expect(claims.aud).toEqual([client.audience]);
      expect(claims.sub).toBe('system:serviceaccount:agents:catalog-agent');
      expect(client.subjects).toEqual([claims.sub]);
      expect(claims.exp - claims.iat).toBe(600);
      // The issuer's discovery names the JWKS the client derives, and its key verifies the token.
      const discovery = JSON.parse(
        await cluster.kubectl(['get', '--raw', '/.well-known/openid-configuration']),
      );
      expect(discovery.issuer).toBe(client.issuerUrl);
      expect(discovery.jwks_uri).toBe(client.jwksUrl);
      expect(client.algorithms ?? ['RS256']).toContain(header.alg);
      const jwks = JSON.parse(await cluster.kubectl(['get', '--raw', new URL(client.jwksUrl).pathname])) as {
        keys: Array<JsonWebKey & { kid: string }>;
      };
      const key = jwks.keys.find((k) => k.kid === header.kid);
      expect(key, `no key ${header.kid} in the JWKS`).toBeDefined();
      expect(
        verify(
          'RSA-SHA256',
          Buffer.from(signed),
          createPublicKey({ key: key!, format: 'jwk' }),
          Buffer.from(signature, 'base64url'),
        ),
      ).toBe(true);
      // A token of the same ServiceAccount for another audience is not this client's.
      const other = decodeJwt(
        (
          await cluster.kubectl([
            'create',
            'token',
            agent.serviceAccountName,
            '-n',
            agent.namespace,
            '--audience',
            'another-service',
          ])
        ).trim(),
      );
      expect(other.claims.aud).toEqual(['another-service']);
      expect(other.claims.aud).not.toContain(client.audience);
    });

    it('destroys the agent stack: its namespace goes', async () => {
      const project = ctx.agents();
      const result = await project.destroy([STACK]);
      ctx.expectSuccess(result, `cdktf destroy ${STACK}`);
      ctx.record(project, STACK, 'destroy', result.seconds);
      await eventually(
        'namespace agents gone',
        () => ctx.cluster().getJson<{ items: any[] }>(['namespaces']),
        (l) => !l.items.some((n) => n.metadata.name === 'agents'),
      );
    });
  });
}
