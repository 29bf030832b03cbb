// Test helpers: synthesize real stacks and look at the real Terraform JSON.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { BackstageDatabase, OidcGatewayProps, OidcIssuer, SecretRef, TlsSource } from '../lib';

export type TfJson = {
  resource?: Record<string, Record<string, Record<string, any>>>;
  variable?: Record<string, Record<string, any>>;
  output?: Record<string, Record<string, any>>;
};

/** Builds a stack with a Kubernetes provider, runs `build` in it, and returns the parsed cdk.tf.json. */
export function synth(build: (stack: TerraformStack) => void): TfJson {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new KubernetesProvider(stack, 'k8s', {});
  build(stack);
  // Testing.synth runs aspects and validations but strips the "//" metadata (construct
  // paths) that the assertions below use, so the JSON is taken from the stack itself.
  Testing.synth(stack, true);
  return JSON.parse(JSON.stringify(stack.toTerraform())) as TfJson;
}

/** All resources of one Terraform type, keyed by logical id. */
export function resourcesOf(json: TfJson, type: string): Record<string, any> {
  return json.resource?.[type] ?? {};
}

/** The single resource of a type whose construct path ends with `pathSuffix`. */
export function resourceAt(json: TfJson, type: string, pathSuffix: string): any {
  const matches = Object.values(resourcesOf(json, type)).filter((r) => String(r['//']?.metadata?.path ?? '').endsWith(pathSuffix));
  if (matches.length !== 1) {
    const paths = Object.values(resourcesOf(json, type)).map((r) => r['//']?.metadata?.path);
    throw new Error(`expected one ${type} at …${pathSuffix}, found ${matches.length}: ${paths.join(', ')}`);
  }
  return matches[0];
}

/** A sensitive variable and its SecretRef. */
export function variableSecret(scope: Construct, name: string): SecretRef {
  return SecretRef.fromVariable(new TerraformVariable(scope, name, { type: 'string', sensitive: true }));
}

/** Minimal valid portal props; override what a test is about. */
export function portalProps(scope: Construct) {
  return {
    host: 'backstage.example.com',
    image: 'registry.example.com/platform/backstage:1.4.2',
    database: BackstageDatabase.sqliteInMemory(),
    issuer: OidcIssuer.okta({ domain: 'example.okta.com' }),
    clientId: 'client-123',
    clientSecret: variableSecret(scope, 'oidc_client_secret'),
    cookieSecret: variableSecret(scope, 'cookie_secret'),
    access: { emailDomains: ['example.com'] },
    tls: TlsSource.acme({ email: 'platform@example.com' }),
    backstage: { replicas: 1 },
  };
}

/**
 * Minimal valid gateway props with existing-Secret references (no stack needed); override
 * what a test is about.
 */
export function gatewayProps(overrides: Partial<OidcGatewayProps> = {}): OidcGatewayProps {
  return {
    namespace: 'backstage',
    host: 'backstage.example.com',
    issuer: OidcIssuer.okta({ domain: 'example.okta.com' }),
    clientId: 'client-123',
    clientSecret: SecretRef.fromSecret('oidc', 'client-secret'),
    cookieSecret: SecretRef.fromSecret('cookie', 'cookie-secret'),
    access: { emailDomains: ['example.com'] },
    ...overrides,
  };
}

/** Runs `fn` and returns the error message it throws (fails the test if it does not throw). */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  throw new Error('expected an error, but none was thrown');
}


const CHART_ROOT = mkdtempSync(join(tmpdir(), 'cdktf-backstage-charts-'));

/**
 * A local chart that exists (ChartSource.localPath checks that): a directory with a
 * Chart.yaml, or a `.tgz` file when the name ends so. Returns its absolute path.
 */
export function chartFixture(name: string): string {
  const target = join(CHART_ROOT, name);
  if (name.endsWith('.tgz')) {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, '');
  } else {
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'Chart.yaml'), `apiVersion: v2\nname: ${basename(name)}\nversion: 0.0.1\n`);
  }
  return target;
}
