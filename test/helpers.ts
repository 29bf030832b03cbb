// Test helpers: synthesize real stacks and look at the real Terraform JSON.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { expect } from 'vitest';

import {
  Backstage,
  BackstageDatabase,
  BackstageProps,
  type GatewayApiAuthProxy,
  GatewayApiIngress,
  type GatewayApiIngressProps,
  GatewayRef,
  identityHeaderNames,
  OidcGatewayProps,
  OidcIssuer,
  PropsValidationError,
  SecretRef,
  TlsSource,
  type ValidationProblem,
} from '../lib';

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

/**
 * A stack with one Backstage (`bs`: namespace backstage, host backstage.example.com, a pinned
 * image, the in-memory database, one replica) and `overrides` laid over those props; a function
 * gets the stack, for props that need it (variables, other constructs).
 */
export function synthBackstage(
  overrides: Partial<BackstageProps> | ((stack: TerraformStack) => Partial<BackstageProps>) = {},
): TfJson {
  return synth((stack) => {
    new Backstage(stack, 'bs', {
      namespace: 'backstage',
      host: 'backstage.example.com',
      image: 'registry.example.com/platform/backstage:1.4.2',
      database: BackstageDatabase.sqliteInMemory(),
      replicas: 1,
      ...(typeof overrides === 'function' ? overrides(stack) : overrides),
    });
  });
}

/** All resources of one Terraform type, keyed by logical id. */
export function resourcesOf(json: TfJson, type: string): Record<string, any> {
  return json.resource?.[type] ?? {};
}

/** The single resource of a type whose construct path ends with `pathSuffix`. */
export function resourceAt(json: TfJson, type: string, pathSuffix: string): any {
  const matches = Object.values(resourcesOf(json, type)).filter((r) =>
    String(r['//']?.metadata?.path ?? '').endsWith(pathSuffix),
  );
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

/** oauth2-proxy in the request path, in front of Backstage, as GatewayApiIngress takes it. */
export const IN_PATH_AUTH_PROXY: GatewayApiAuthProxy = {
  serviceName: 'oauth2-proxy',
  namespace: 'backstage',
  port: 4180,
  identityUpstream: { serviceName: 'backstage', port: 7007, requestHeaders: identityHeaderNames() },
};

/** The labels of the front door's objects (name "backstage"). */
export const INGRESS_LABELS = {
  'app.kubernetes.io/name': 'backstage',
  'app.kubernetes.io/instance': 'backstage',
  'app.kubernetes.io/component': 'ingress',
  'app.kubernetes.io/part-of': 'backstage-portal',
  'app.kubernetes.io/managed-by': 'cdktf-backstage',
};

/**
 * Minimal valid GatewayApiIngress props: host backstage.example.com in namespace backstage, a
 * rendered Gateway of class "nginx" with the certificate Secret portal-tls; override what a
 * test is about.
 */
export function gatewayApiIngressProps(
  overrides: Partial<GatewayApiIngressProps> = {},
): GatewayApiIngressProps {
  return {
    namespace: 'backstage',
    host: 'backstage.example.com',
    backend: { serviceName: 'backstage', port: 7007 },
    authProxy: IN_PATH_AUTH_PROXY,
    gateway: GatewayRef.create({ gatewayClassName: 'nginx' }),
    tls: TlsSource.fromSecret('portal-tls'),
    ...overrides,
  };
}

/** The problems of a GatewayApiIngress (id `gw`) with `overrides` laid over {@link gatewayApiIngressProps}. */
export function expectGatewayApiIngressProblems(
  overrides: Record<string, unknown>,
  expected: readonly ExpectedProblem[],
): readonly ValidationProblem[] {
  return expectProblems(
    () =>
      synth(
        (stack) =>
          new GatewayApiIngress(stack, 'gw', {
            ...gatewayApiIngressProps(),
            ...overrides,
          } as GatewayApiIngressProps),
      ),
    expected,
  );
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

/**
 * The meaningful part of one refusal a test expects: which prop, and what is wrong with it.
 * Tests compare this, not whole lines, so rewording a fix hint does not break every test,
 * while a problem reported for the wrong prop, or not reported, still does.
 */
export interface ExpectedProblem {
  /** The construct path (or environment file) the problem is reported for; compared exactly when given. */
  readonly where?: string;
  /** The prop path, e.g. `gateway.cookie.refresh` (empty for the whole input); compared exactly. */
  readonly path: string;
  /** Fragments the line must contain after the prop: what is wrong (and, where it matters, the fix). */
  readonly says: string | readonly string[];
}

/** Runs `fn`, which must throw a PropsValidationError, and returns its problems. */
export function problemsOf(fn: () => unknown): readonly ValidationProblem[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof PropsValidationError) return e.details;
    throw new Error(
      `expected a PropsValidationError, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`,
      { cause: e },
    );
  }
  throw new Error('expected a PropsValidationError, but none was thrown');
}

/**
 * Asserts that `fn` is refused with exactly the expected problems, in order, each for the
 * expected prop and saying the expected fragments. Returns the problems for further checks
 * (e.g. that a secret's value is not echoed).
 */
export function expectProblems(
  fn: () => unknown,
  expected: readonly ExpectedProblem[],
): readonly ValidationProblem[] {
  const problems = problemsOf(fn);
  const actual = problems.map((p, i) => {
    const want = expected[i];
    const rest = p.message.slice(
      p.message.indexOf(p.path ? `${p.path}: ` : '] ') + (p.path ? p.path.length + 2 : 2),
    );
    const says = want ? (typeof want.says === 'string' ? [want.says] : want.says) : [];
    return {
      ...(want?.where !== undefined ? { where: p.where } : {}),
      path: p.path,
      // Each expected fragment shows as itself when present, so a mismatch diff points at what is missing.
      says: says.length > 0 ? says.map((f) => (rest.includes(f) ? f : `(missing) ${f} in: ${rest}`)) : [rest],
    };
  });
  const wanted = expected.map((e) => ({
    ...(e.where !== undefined ? { where: e.where } : {}),
    path: e.path,
    says: typeof e.says === 'string' ? [e.says] : [...e.says],
  }));
  expect(actual).toEqual(wanted);
  return problems;
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
