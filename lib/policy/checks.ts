// The Guardrails checks: ONE table of what is checked and which SOC 2 criteria and
// ISO/IEC 27001:2022 Annex A controls each check gives evidence for, and the functions
// that evaluate each check on a stack's synthesized resources (Terraform attribute
// names, snake_case, as `cdk.tf.json` has them). Nothing here knows the library's own
// constructs: hand-written provider resources are judged the same way.

import { parse as parseYaml } from 'yaml';
import { SECRET_ENV_NAME } from '../backstage/app-config';
import { pinnedImage } from '../core/schemas';
import { isSnippetAnnotation } from '../ingress/annotations';

/** Identifier of a check; stable, used in reports and exemptions. */
export type GuardrailCheckId =
  | 'tls-on-every-host'
  | 'trusted-certificates'
  | 'hsts-enabled'
  | 'no-snippet-annotations'
  | 'no-plain-secret-env'
  | 'container-limits'
  | 'non-root-containers'
  | 'backstage-network-policy'
  | 'pinned-images'
  | 'production-replicas'
  | 'production-pdb'
  | 'json-access-logs';

/** One row of the check table. */
export interface GuardrailCheck {
  readonly id: GuardrailCheckId;
  /** Short name, for tables. */
  readonly title: string;
  /** What passes. */
  readonly requirement: string;
  /** Environments the check applies to. */
  readonly appliesTo: 'all' | 'production';
  /** AICPA Trust Services Criteria (2017, points of focus revised 2022). */
  readonly soc2: readonly string[];
  /** ISO/IEC 27001:2022 Annex A controls. */
  readonly iso27001: readonly string[];
  /** Why these controls: what the check gives evidence for. */
  readonly rationale: string;
}

/** Titles of the SOC 2 criteria used by the checks. */
export const SOC2_CRITERIA: Readonly<Record<string, string>> = {
  'CC6.1': 'Logical access security software, infrastructure and architectures protect information assets',
  'CC6.6': 'Logical access security measures against threats from sources outside the system boundaries',
  'CC6.7': 'Transmission of information is restricted to authorized parties and protected in transit',
  'CC6.8': 'Controls prevent or detect unauthorized or malicious software',
  'CC7.1': 'Detection and monitoring procedures identify configuration changes that introduce vulnerabilities',
  'CC7.2': 'System components are monitored for anomalies indicative of malicious acts, disasters and errors',
  'CC8.1': 'Changes to infrastructure and software are authorized, tested, approved and implemented in a controlled way',
  'A1.1': 'Current processing capacity and use of system components are maintained, monitored and evaluated',
  'A1.2': 'Environmental protections, software, backup and recovery infrastructure support availability',
};

/** Titles of the ISO/IEC 27001:2022 Annex A controls used by the checks. */
export const ISO27001_CONTROLS: Readonly<Record<string, string>> = {
  'A.5.14': 'Information transfer',
  'A.5.17': 'Authentication information',
  'A.8.2': 'Privileged access rights',
  'A.8.6': 'Capacity management',
  'A.8.8': 'Management of technical vulnerabilities',
  'A.8.9': 'Configuration management',
  'A.8.12': 'Data leakage prevention',
  'A.8.14': 'Redundancy of information processing facilities',
  'A.8.15': 'Logging',
  'A.8.16': 'Monitoring activities',
  'A.8.19': 'Installation of software on operational systems',
  'A.8.20': 'Networks security',
  'A.8.22': 'Segregation of networks',
  'A.8.24': 'Use of cryptography',
  'A.8.26': 'Application security requirements',
  'A.8.32': 'Change management',
};

/** The check table: every check, with its control mapping. */
export const GUARDRAIL_CHECKS: readonly GuardrailCheck[] = Object.freeze([
  {
    id: 'tls-on-every-host',
    title: 'TLS on every public host',
    requirement: 'Every host of an Ingress is covered by a TLS entry (for an F5 minion: by its master).',
    appliesTo: 'all',
    soc2: ['CC6.7'],
    iso27001: ['A.8.24', 'A.5.14'],
    rationale: 'Sign-in cookies, ID tokens and catalog data cross the internet only encrypted (CC6.7 transmission; A.8.24 cryptography; A.5.14 information transfer).',
  },
  {
    id: 'trusted-certificates',
    title: 'Certificates browsers trust',
    requirement: 'No production Ingress takes its certificate from a self-signed issuer or an ACME staging directory (issuers of the stack, named by the cert-manager annotations).',
    appliesTo: 'production',
    soc2: ['CC6.7'],
    iso27001: ['A.8.24'],
    rationale: 'A certificate no browser trusts teaches people to click through warnings, which is exactly what an attacker in the middle needs (CC6.7 protection in transit; A.8.24 cryptography).',
  },
  {
    id: 'hsts-enabled',
    title: 'HSTS on',
    requirement: 'No ingress controller config turns HSTS off; F5 Ingresses with TLS enable nginx.org/hsts (off by default on that controller).',
    appliesTo: 'all',
    soc2: ['CC6.7'],
    iso27001: ['A.8.24', 'A.8.26'],
    rationale: 'Without HSTS a network attacker can strip TLS before the first redirect (CC6.7 protection in transit; A.8.24 cryptography; A.8.26 application security requirements).',
  },
  {
    id: 'no-snippet-annotations',
    title: 'No configuration snippets',
    requirement: 'No *-snippet(s) annotation, no controller config allowing snippets, no authSnippets in F5 policies.',
    appliesTo: 'all',
    soc2: ['CC7.1', 'CC8.1'],
    iso27001: ['A.8.8', 'A.8.9'],
    rationale: 'Snippets inject raw nginx configuration and were the vector of the 2025 IngressNightmare CVEs (CC7.1 configuration changes introducing vulnerabilities; CC8.1 controlled change; A.8.8 technical vulnerabilities; A.8.9 configuration management).',
  },
  {
    id: 'no-plain-secret-env',
    title: 'No secret values in env vars',
    requirement: 'An env var named like a secret (password, token, secret, API key, private key, credential) takes its value from a Secret, not a literal.',
    appliesTo: 'all',
    soc2: ['CC6.1'],
    iso27001: ['A.5.17', 'A.8.12'],
    rationale: 'A literal value sits in code, in the synthesized JSON and in Terraform state, readable by everyone who can read those (CC6.1 protection of credentials; A.5.17 authentication information; A.8.12 data leakage prevention).',
  },
  {
    id: 'container-limits',
    title: 'Container resource limits',
    requirement: 'Every container and init container sets resources.limits.cpu and resources.limits.memory.',
    appliesTo: 'all',
    soc2: ['A1.1'],
    iso27001: ['A.8.6'],
    rationale: 'An unbounded container can starve its neighbours on the node, the gateway included (A1.1 capacity; A.8.6 capacity management).',
  },
  {
    id: 'non-root-containers',
    title: 'Non-root containers',
    requirement: 'Every container runs with run_as_non_root = true (its own or the pod\'s) and never run_as_user = 0.',
    appliesTo: 'all',
    soc2: ['CC6.1', 'CC6.8'],
    iso27001: ['A.8.2', 'A.8.9'],
    rationale: 'A compromised process running as root is one step from the node (CC6.1 least privilege; CC6.8 containment of malicious software; A.8.2 privileged access rights; A.8.9 secure configuration).',
  },
  {
    id: 'backstage-network-policy',
    title: 'NetworkPolicy in front of Backstage',
    requirement: 'Every Backstage workload is selected by a NetworkPolicy of its namespace that restricts ingress to named peers.',
    appliesTo: 'all',
    soc2: ['CC6.1', 'CC6.6'],
    iso27001: ['A.8.20', 'A.8.22'],
    rationale: 'Backstage trusts the identity headers; a pod that reaches it around the gateway can claim to be anyone (CC6.6 boundary protection; CC6.1; A.8.20 networks security; A.8.22 segregation of networks).',
  },
  {
    id: 'pinned-images',
    title: 'Pinned images',
    requirement: 'Every container image names a version tag other than "latest", or a digest.',
    appliesTo: 'all',
    soc2: ['CC8.1'],
    iso27001: ['A.8.32', 'A.8.19'],
    rationale: 'An unpinned image changes what runs without a reviewed change (CC8.1 change management; A.8.32 change management; A.8.19 installation of software on operational systems).',
  },
  {
    id: 'production-replicas',
    title: 'More than one replica',
    requirement: 'Production Deployments, StatefulSets and ReplicationControllers run 2 or more replicas (or an autoscaler keeps at least 2).',
    appliesTo: 'production',
    soc2: ['A1.2'],
    iso27001: ['A.8.14'],
    rationale: 'One replica is an outage at every node drain, rollout or crash (A1.2 recovery infrastructure; A.8.14 redundancy).',
  },
  {
    id: 'production-pdb',
    title: 'PodDisruptionBudget',
    requirement: 'Every production Deployment and StatefulSet is selected by a PodDisruptionBudget of its namespace.',
    appliesTo: 'production',
    soc2: ['A1.2'],
    iso27001: ['A.8.14'],
    rationale: 'Without a PDB a node drain may evict every replica at once (A1.2 availability; A.8.14 redundancy).',
  },
  {
    id: 'json-access-logs',
    title: 'JSON access logs',
    requirement: 'Ingress controller configs escape access-log variables as JSON (ingress-nginx log-format-escape-json, F5 log-format-escaping: json).',
    appliesTo: 'all',
    soc2: ['CC7.2'],
    iso27001: ['A.8.15', 'A.8.16'],
    rationale: 'Log pipelines (ELK, Datadog) parse and alert on structured logs only; unescaped values can also forge log lines (CC7.2 monitoring; A.8.15 logging; A.8.16 monitoring activities).',
  },
] satisfies GuardrailCheck[]);

// ---------------------------------------------------------------------------------
// The stack model the checks read.

/** @internal One Terraform resource as synthesized (attributes resolved, snake_case). */
export interface InspectedResource {
  /** Terraform resource type, e.g. `kubernetes_deployment_v1`. */
  readonly type: string;
  /** Construct path. */
  readonly path: string;
  /** Synthesized attributes. */
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** A problem found by a check. */
export interface GuardrailFinding {
  readonly check: GuardrailCheckId;
  /** Construct path of the offending resource. */
  readonly path: string;
  readonly resourceType: string;
  /** What is wrong and how to fix it (never contains a secret value). */
  readonly message: string;
}

/** @internal The outcome of one check. */
export interface CheckOutcome {
  /** False when nothing the check looks at exists in the stack. */
  readonly applicable: boolean;
  readonly findings: readonly GuardrailFinding[];
}

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A single nested block, whether rendered as an object or a one-element list. */
function one(value: unknown): Obj {
  if (Array.isArray(value)) {
    return isObj(value[0]) ? value[0] : {};
  }
  return isObj(value) ? value : {};
}

/** A list of blocks, whether rendered as a list or a single object. */
function many(value: unknown): Obj[] {
  if (Array.isArray(value)) {
    return value.filter(isObj);
  }
  return isObj(value) ? [value] : [];
}

function strings(value: unknown): string[] {
  if (Array.isArray(value)) {
    return value.filter((v): v is string => typeof v === 'string');
  }
  return typeof value === 'string' ? [value] : [];
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, child] of Object.entries(one(value))) {
    if (typeof child === 'string' || typeof child === 'number' || typeof child === 'boolean') {
      out[key] = String(child);
    }
  }
  return out;
}

/** A Terraform expression (`${...}`) is only known at plan time. */
function isExpression(value: unknown): boolean {
  return typeof value === 'string' && value.includes('${');
}

function truthy(value: unknown): boolean {
  return value === true || value === 'true';
}

const INGRESS_TYPES = new Set(['kubernetes_ingress_v1', 'kubernetes_ingress']);
const NETWORK_POLICY_TYPES = new Set(['kubernetes_network_policy_v1', 'kubernetes_network_policy']);
const PDB_TYPES = new Set(['kubernetes_pod_disruption_budget_v1', 'kubernetes_pod_disruption_budget']);
const HPA_TYPES = new Set([
  'kubernetes_horizontal_pod_autoscaler',
  'kubernetes_horizontal_pod_autoscaler_v1',
  'kubernetes_horizontal_pod_autoscaler_v2',
  'kubernetes_horizontal_pod_autoscaler_v2beta2',
]);

type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicationController' | 'Job' | 'CronJob' | 'Pod';

const WORKLOAD_TYPES: Readonly<Record<string, WorkloadKind>> = {
  kubernetes_deployment: 'Deployment',
  kubernetes_deployment_v1: 'Deployment',
  kubernetes_stateful_set: 'StatefulSet',
  kubernetes_stateful_set_v1: 'StatefulSet',
  kubernetes_daemonset: 'DaemonSet',
  kubernetes_daemon_set_v1: 'DaemonSet',
  kubernetes_replication_controller: 'ReplicationController',
  kubernetes_replication_controller_v1: 'ReplicationController',
  kubernetes_job: 'Job',
  kubernetes_job_v1: 'Job',
  kubernetes_cron_job: 'CronJob',
  kubernetes_cron_job_v1: 'CronJob',
  kubernetes_pod: 'Pod',
  kubernetes_pod_v1: 'Pod',
};

interface Workload {
  readonly resource: InspectedResource;
  readonly kind: WorkloadKind;
  readonly name: string;
  readonly namespace: string;
  readonly podLabels: Record<string, string>;
  readonly podSpec: Obj;
  readonly containers: Obj[];
}

function metadataOf(attributes: Readonly<Obj>): Obj {
  return one(attributes.metadata);
}

function namespaceOf(metadata: Obj): string {
  return typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : 'default';
}

function workloadOf(resource: InspectedResource): Workload | undefined {
  const kind = WORKLOAD_TYPES[resource.type];
  if (!kind) {
    return undefined;
  }
  const metadata = metadataOf(resource.attributes);
  const spec = one(resource.attributes.spec);
  let template: Obj;
  if (kind === 'Pod') {
    template = { metadata, spec };
  } else if (kind === 'CronJob') {
    template = one(one(one(spec.job_template).spec).template);
  } else {
    template = one(spec.template);
  }
  const podSpec = one(template.spec);
  return {
    resource,
    kind,
    name: typeof metadata.name === 'string' ? metadata.name : '',
    namespace: namespaceOf(metadata),
    podLabels: stringMap(one(template.metadata).labels),
    podSpec,
    containers: [...many(podSpec.container), ...many(podSpec.init_container)],
  };
}

/** @internal The synthesized stack, indexed for the checks. */
export class StackModel {
  public readonly workloads: readonly Workload[];

  constructor(
    public readonly resources: readonly InspectedResource[],
    public readonly environment: 'production' | 'non-production',
  ) {
    this.workloads = resources.map(workloadOf).filter((w): w is Workload => w !== undefined);
  }

  public ofTypes(types: ReadonlySet<string>): InspectedResource[] {
    return this.resources.filter((r) => types.has(r.type));
  }
}

function finding(check: GuardrailCheckId, resource: InspectedResource, message: string): GuardrailFinding {
  return { check, path: resource.path, resourceType: resource.type, message };
}

// ---------------------------------------------------------------------------------
// Selectors (label selectors of NetworkPolicies and PodDisruptionBudgets).

function selects(selector: Obj | undefined, labels: Record<string, string>): boolean {
  if (selector === undefined) {
    return false;
  }
  for (const [key, value] of Object.entries(stringMap(selector.match_labels))) {
    if (labels[key] !== value) {
      return false;
    }
  }
  for (const expression of many(selector.match_expressions)) {
    const key = String(expression.key ?? '');
    const values = strings(expression.values);
    const has = key in labels;
    switch (expression.operator) {
      case 'In':
        if (!has || !values.includes(labels[key] as string)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key] as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        // An operator we cannot evaluate proves nothing.
        return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------
// Ingress controller configuration found in the stack (Helm releases).

type ControllerFlavour = 'ingress-nginx' | 'f5-nginx-ingress';

interface ControllerConfig {
  readonly resource: InspectedResource;
  readonly flavour: ControllerFlavour;
  /** The merged Helm values (YAML `values` in order, then `set`). */
  readonly values: Obj;
}

function chartFlavour(attributes: Readonly<Obj>): ControllerFlavour | undefined {
  const chart = typeof attributes.chart === 'string' ? attributes.chart : '';
  const last = chart.replace(/\/+$/, '').split('/').pop() ?? '';
  const name = last.replace(/-[0-9][^/]*\.tgz$/, '');
  if (name === 'ingress-nginx') {
    return 'ingress-nginx';
  }
  if (name === 'nginx-ingress') {
    return 'f5-nginx-ingress';
  }
  return undefined;
}

function deepMerge(target: Obj, source: Obj): Obj {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    target[key] = isObj(current) && isObj(value) ? deepMerge({ ...current }, value) : value;
  }
  return target;
}

/** Splits a Helm `--set` path on dots that are not escaped (`a.b\.c` is `a` → `b.c`). */
function setPath(name: string): string[] {
  return name.split(/(?<!\\)\./).map((part) => part.replace(/\\\./g, '.'));
}

function helmValues(attributes: Readonly<Obj>): Obj {
  let merged: Obj = {};
  for (const text of strings(attributes.values)) {
    try {
      const parsed: unknown = parseYaml(text);
      if (isObj(parsed)) {
        merged = deepMerge(merged, parsed);
      }
    } catch {
      // Unparseable (e.g. a plan-time expression): nothing can be concluded from it.
    }
  }
  for (const entry of [...many(attributes.set), ...many(attributes.set_sensitive)]) {
    if (typeof entry.name !== 'string') {
      continue;
    }
    const path = setPath(entry.name);
    let node = merged;
    path.slice(0, -1).forEach((key) => {
      if (!isObj(node[key])) {
        node[key] = {};
      }
      node = node[key] as Obj;
    });
    node[path[path.length - 1] as string] = entry.value;
  }
  return merged;
}

function controllerConfigs(model: StackModel): ControllerConfig[] {
  return model.resources
    .filter((r) => r.type === 'helm_release')
    .map((resource) => ({ resource, flavour: chartFlavour(resource.attributes), values: helmValues(resource.attributes) }))
    .filter((c): c is ControllerConfig => c.flavour !== undefined);
}

/** The NGINX config map of a controller release: ingress-nginx `controller.config`, F5 `controller.config.entries`. */
function nginxConfig(config: ControllerConfig): Obj {
  const controllerConfig = one(one(config.values.controller).config);
  return config.flavour === 'ingress-nginx' ? controllerConfig : one(controllerConfig.entries);
}

// ---------------------------------------------------------------------------------
// The checks.

const HOST_FIX = 'Add the host to spec.tls with a certificate secret (TlsSource in this library).';

function tlsHosts(attributes: Readonly<Obj>): string[] {
  return many(one(attributes.spec).tls).flatMap((t) => strings(t.hosts));
}

function covers(tls: readonly string[], host: string): boolean {
  return tls.some((entry) => entry === host || (entry.startsWith('*.') && host.endsWith(entry.slice(1)) && !host.slice(0, -entry.length + 1).includes('.')));
}

function checkTls(model: StackModel): CheckOutcome {
  const ingresses = model.ofTypes(INGRESS_TYPES);
  const masterTls = ingresses
    .filter((r) => stringMap(metadataOf(r.attributes).annotations)['nginx.org/mergeable-ingress-type'] === 'master')
    .flatMap((r) => tlsHosts(r.attributes));
  const findings: GuardrailFinding[] = [];
  for (const ingress of ingresses) {
    const minion = stringMap(metadataOf(ingress.attributes).annotations)['nginx.org/mergeable-ingress-type'] === 'minion';
    const own = tlsHosts(ingress.attributes);
    for (const rule of many(one(ingress.attributes.spec).rule)) {
      const host = rule.host;
      if (typeof host !== 'string' || host === '') {
        continue;
      }
      if (minion ? !covers(masterTls, host) : !covers(own, host)) {
        findings.push(
          finding(
            'tls-on-every-host',
            ingress,
            minion
              ? `host "${host}" of this F5 minion has no master Ingress with TLS for it. Create the master (F5NginxIngress does) with the host in spec.tls.`
              : `host "${host}" has no TLS. ${HOST_FIX}`,
          ),
        );
      }
    }
  }
  return { applicable: ingresses.length > 0, findings };
}

/** Why an issuer's certificates are not trusted by browsers, or undefined when they may be. */
function untrustedIssuer(spec: Obj): string | undefined {
  if ('selfSigned' in spec) {
    return 'self-signed';
  }
  const server = one(spec.acme).server;
  if (typeof server === 'string' && /staging/i.test(server)) {
    return `from the ACME staging directory ${server}`;
  }
  return undefined;
}

function checkTrustedCertificates(model: StackModel): CheckOutcome {
  const issuers = model.resources
    .filter((r) => r.type === 'kubernetes_manifest')
    .map((r) => one(r.attributes.manifest))
    .filter((m) => m.kind === 'ClusterIssuer' || m.kind === 'Issuer');
  const findings: GuardrailFinding[] = [];
  const ingresses = model.ofTypes(INGRESS_TYPES);
  for (const ingress of ingresses) {
    const metadata = metadataOf(ingress.attributes);
    const annotations = stringMap(metadata.annotations);
    const wanted = annotations['cert-manager.io/cluster-issuer'] !== undefined
      ? { kind: 'ClusterIssuer', name: annotations['cert-manager.io/cluster-issuer'] }
      : annotations['cert-manager.io/issuer'] !== undefined
        ? { kind: 'Issuer', name: annotations['cert-manager.io/issuer'] }
        : undefined;
    if (wanted === undefined) {
      continue;
    }
    const issuer = issuers.find(
      (m) => m.kind === wanted.kind && one(m.metadata).name === wanted.name && (wanted.kind === 'ClusterIssuer' || one(m.metadata).namespace === namespaceOf(metadata)),
    );
    const why = issuer ? untrustedIssuer(one(issuer.spec)) : undefined;
    if (why !== undefined) {
      findings.push(
        finding(
          'trusted-certificates',
          ingress,
          `its certificate comes from ${wanted.kind} "${wanted.name}", ${why}: browsers do not trust it. In production use TlsSource.acme({ email }) (Let's Encrypt production), acmeDns01, a private CA your clients trust, or an existing certificate.`,
        ),
      );
    }
  }
  return { applicable: ingresses.length > 0, findings };
}

function checkHsts(model: StackModel): CheckOutcome {
  const findings: GuardrailFinding[] = [];
  const configs = controllerConfigs(model);
  let f5GlobalHsts = false;
  for (const config of configs) {
    const nginx = nginxConfig(config);
    if (config.flavour === 'f5-nginx-ingress' && truthy(nginx.hsts)) {
      f5GlobalHsts = true;
    }
    if (nginx.hsts === false || nginx.hsts === 'false') {
      const key = config.flavour === 'ingress-nginx' ? 'controller.config.hsts' : 'controller.config.entries.hsts';
      findings.push(finding('hsts-enabled', config.resource, `${key} is "false": browsers are not told to insist on HTTPS. Remove it or set it to "true".`));
    }
  }
  const f5Ingresses = model.ofTypes(INGRESS_TYPES).filter((r) => {
    const annotations = stringMap(metadataOf(r.attributes).annotations);
    const f5 = Object.keys(annotations).some((k) => k.startsWith('nginx.org/'));
    return f5 && annotations['nginx.org/mergeable-ingress-type'] !== 'minion' && tlsHosts(r.attributes).length > 0;
  });
  for (const ingress of f5Ingresses) {
    const hsts = stringMap(metadataOf(ingress.attributes).annotations)['nginx.org/hsts'];
    if (hsts === 'false' || (hsts !== 'true' && !f5GlobalHsts)) {
      findings.push(
        finding(
          'hsts-enabled',
          ingress,
          `HSTS is off for this F5 Ingress (nginx.org/hsts is ${hsts === undefined ? 'not set and off by default' : `"${hsts}"`}). Set nginx.org/hsts: "true" (F5NginxIngress does) or hsts: "true" in the controller's config entries.`,
        ),
      );
    }
  }
  return { applicable: configs.length > 0 || f5Ingresses.length > 0, findings };
}

function checkSnippets(model: StackModel): CheckOutcome {
  const findings: GuardrailFinding[] = [];
  for (const resource of model.resources) {
    for (const key of Object.keys(stringMap(metadataOf(resource.attributes).annotations))) {
      if (isSnippetAnnotation(key)) {
        findings.push(finding('no-snippet-annotations', resource, `annotation "${key}" injects raw nginx configuration. Remove it and use typed settings; snippets are off by default since IngressNightmare (2025).`));
      }
    }
    if (resource.type === 'kubernetes_manifest') {
      const manifest = one(resource.attributes.manifest);
      const externalAuth = one(one(manifest.spec).externalAuth);
      if (manifest.kind === 'Policy' && typeof externalAuth.authSnippets === 'string' && externalAuth.authSnippets.trim() !== '') {
        findings.push(finding('no-snippet-annotations', resource, 'spec.externalAuth.authSnippets injects raw nginx configuration. Remove it; it also needs the controller\'s -enable-snippets.'));
      }
    }
  }
  for (const config of controllerConfigs(model)) {
    const controller = one(config.values.controller);
    if (config.flavour === 'ingress-nginx') {
      if (truthy(nginxConfig(config)['allow-snippet-annotations']) || truthy(controller.allowSnippetAnnotations)) {
        findings.push(finding('no-snippet-annotations', config.resource, 'the controller allows snippet annotations. Set controller.config.allow-snippet-annotations: "false" and leave annotations-risk-level at its default.'));
      }
    } else if (truthy(controller.enableSnippets)) {
      findings.push(finding('no-snippet-annotations', config.resource, 'controller.enableSnippets is true. Set it to false.'));
    }
  }
  return { applicable: true, findings };
}

function containerName(container: Obj): string {
  return typeof container.name === 'string' ? container.name : '(unnamed)';
}

function checkSecretEnv(model: StackModel): CheckOutcome {
  const findings: GuardrailFinding[] = [];
  for (const workload of model.workloads) {
    for (const container of workload.containers) {
      for (const env of many(container.env)) {
        const name = typeof env.name === 'string' ? env.name : '';
        const value = env.value;
        if (SECRET_ENV_NAME.test(name) && typeof value === 'string' && value !== '' && !isExpression(value)) {
          // The value itself is never repeated: it is the secret.
          findings.push(
            finding(
              'no-plain-secret-env',
              workload.resource,
              `container "${containerName(container)}" sets ${name} to a literal value. Take it from a Secret (env value_from.secret_key_ref; SecretRef in this library) and rotate the exposed value.`,
            ),
          );
        }
      }
    }
  }
  return { applicable: model.workloads.length > 0, findings };
}

function checkLimits(model: StackModel): CheckOutcome {
  const findings: GuardrailFinding[] = [];
  for (const workload of model.workloads) {
    for (const container of workload.containers) {
      const limits = stringMap(one(container.resources).limits);
      const missing = ['cpu', 'memory'].filter((k) => limits[k] === undefined || limits[k] === '');
      if (missing.length > 0) {
        findings.push(
          finding('container-limits', workload.resource, `container "${containerName(container)}" has no ${missing.join(' or ')} limit. Set resources.limits.cpu and resources.limits.memory.`),
        );
      }
    }
  }
  return { applicable: model.workloads.length > 0, findings };
}

function checkNonRoot(model: StackModel): CheckOutcome {
  const findings: GuardrailFinding[] = [];
  for (const workload of model.workloads) {
    const pod = one(workload.podSpec.security_context);
    for (const container of workload.containers) {
      const own = one(container.security_context);
      const nonRoot = own.run_as_non_root ?? pod.run_as_non_root;
      const user = own.run_as_user ?? pod.run_as_user;
      const name = containerName(container);
      if (user === 0 || user === '0') {
        findings.push(finding('non-root-containers', workload.resource, `container "${name}" runs as user 0 (root). Run it as a non-zero uid with run_as_non_root = true.`));
      } else if (!truthy(nonRoot) && !isExpression(nonRoot)) {
        findings.push(finding('non-root-containers', workload.resource, `container "${name}" may run as root (run_as_non_root is not true). Set security_context.run_as_non_root = true and a non-zero run_as_user.`));
      }
    }
  }
  return { applicable: model.workloads.length > 0, findings };
}

function isBackstage(workload: Workload): boolean {
  if (workload.podLabels['app.kubernetes.io/name'] === 'backstage' || workload.podLabels.app === 'backstage') {
    return true;
  }
  return workload.containers.some((c) => {
    const image = typeof c.image === 'string' ? c.image : '';
    const repository = image.split('@')[0]?.split('/').pop()?.split(':')[0] ?? '';
    return /backstage/i.test(repository);
  });
}

function restrictsIngress(policy: InspectedResource): boolean {
  const spec = one(policy.attributes.spec);
  const types = strings(spec.policy_types);
  if (types.length > 0 && !types.includes('Ingress')) {
    return false;
  }
  // A rule without `from` admits every source: that is no gate.
  return many(spec.ingress).every((rule) => many(rule.from).length > 0);
}

function checkBackstageNetworkPolicy(model: StackModel): CheckOutcome {
  const backstage = model.workloads.filter(isBackstage);
  const policies = model.ofTypes(NETWORK_POLICY_TYPES);
  const findings: GuardrailFinding[] = [];
  for (const workload of backstage) {
    const guarded = policies.some(
      (policy) =>
        namespaceOf(metadataOf(policy.attributes)) === workload.namespace &&
        selects(one(one(policy.attributes.spec).pod_selector), workload.podLabels) &&
        restrictsIngress(policy),
    );
    if (!guarded) {
      findings.push(
        finding(
          'backstage-network-policy',
          workload.resource,
          `no NetworkPolicy in namespace "${workload.namespace}" selects these Backstage pods and restricts who may reach them. Add one that admits only the ingress controller (and the gateway where it proxies); Backstage trusts identity headers.`,
        ),
      );
    }
  }
  return { applicable: backstage.length > 0, findings };
}

function checkPinnedImages(model: StackModel): CheckOutcome {
  const findings: GuardrailFinding[] = [];
  for (const workload of model.workloads) {
    for (const container of workload.containers) {
      const image = container.image;
      if (typeof image !== 'string' || isExpression(image)) {
        continue;
      }
      if (!pinnedImage.safeParse(image).success) {
        findings.push(
          finding('pinned-images', workload.resource, `container "${containerName(container)}" runs "${image}", which is not pinned. Use a release tag (":1.2.3") or a digest ("@sha256:...").`),
        );
      }
    }
  }
  return { applicable: model.workloads.length > 0, findings };
}

const REPLICATED: ReadonlySet<WorkloadKind> = new Set(['Deployment', 'StatefulSet', 'ReplicationController']);

/**
 * A database server of one instance (PostgreSQL, MySQL, ...) in a StatefulSet: more
 * replicas would be more independent databases, not redundancy, so the usual advice does
 * not apply.
 */
function singleDatabase(workload: Workload): boolean {
  return workload.kind === 'StatefulSet' && workload.containers.some((c) => typeof c.image === 'string' && /(^|\/)(postgres|postgresql|mysql|mariadb)(:|@)/.test(c.image));
}

const DATABASE_ADVICE = (check: GuardrailCheckId, path: string) =>
  'This is a single database instance, which cannot be made redundant by adding replicas: in production use a managed, replicated database ' +
  `(BackstageDatabase.external for RDS, Cloud SQL or Azure Database), or accept the risk explicitly with exemptions: [{ check: '${check}', path: '${path}', reason: '<who accepted it and why>' }].`;

function checkReplicas(model: StackModel): CheckOutcome {
  const workloads = model.workloads.filter((w) => REPLICATED.has(w.kind));
  const autoscalers = model.ofTypes(HPA_TYPES);
  const findings: GuardrailFinding[] = [];
  for (const workload of workloads) {
    const raw = one(workload.resource.attributes.spec).replicas;
    if (isExpression(raw)) {
      continue;
    }
    const replicas = raw === undefined ? 1 : Number(raw);
    const scaled = autoscalers.some((hpa) => {
      const spec = one(hpa.attributes.spec);
      const target = one(spec.scale_target_ref);
      return (
        namespaceOf(metadataOf(hpa.attributes)) === workload.namespace &&
        target.name === workload.name &&
        target.kind === workload.kind &&
        Number(spec.min_replicas ?? 1) >= 2
      );
    });
    if (replicas < 2 && !scaled) {
      findings.push(
        finding(
          'production-replicas',
          workload.resource,
          `${workload.kind} "${workload.name}" runs ${replicas} replica${replicas === 1 ? '' : 's'} in production. ${
            singleDatabase(workload) ? DATABASE_ADVICE('production-replicas', workload.resource.path) : 'Run 2 or more (or an autoscaler with min_replicas >= 2), or exempt it with a reason.'
          }`,
        ),
      );
    }
  }
  return { applicable: workloads.length > 0, findings };
}

function checkPdb(model: StackModel): CheckOutcome {
  const workloads = model.workloads.filter((w) => w.kind === 'Deployment' || w.kind === 'StatefulSet');
  const budgets = model.ofTypes(PDB_TYPES);
  const findings: GuardrailFinding[] = [];
  for (const workload of workloads) {
    const covered = budgets.some(
      (pdb) => namespaceOf(metadataOf(pdb.attributes)) === workload.namespace && selects(one(one(pdb.attributes.spec).selector), workload.podLabels),
    );
    if (!covered) {
      findings.push(
        finding(
          'production-pdb',
          workload.resource,
          `no PodDisruptionBudget selects the pods of ${workload.kind} "${workload.name}". ${
            singleDatabase(workload) ? DATABASE_ADVICE('production-pdb', workload.resource.path) : 'Add one (max_unavailable = 1) selecting its pod labels.'
          }`,
        ),
      );
    }
  }
  return { applicable: workloads.length > 0, findings };
}

function checkJsonLogs(model: StackModel): CheckOutcome {
  const configs = controllerConfigs(model);
  const findings: GuardrailFinding[] = [];
  for (const config of configs) {
    const nginx = nginxConfig(config);
    if (config.flavour === 'ingress-nginx' && !truthy(nginx['log-format-escape-json'])) {
      findings.push(
        finding('json-access-logs', config.resource, 'controller.config has no log-format-escape-json: "true". Set it, with a JSON log-format-upstream, so the log pipeline can parse every line.'),
      );
    }
    if (config.flavour === 'f5-nginx-ingress' && nginx['log-format-escaping'] !== 'json') {
      findings.push(
        finding('json-access-logs', config.resource, 'controller.config.entries has no log-format-escaping: "json". Set it, with a JSON log-format, so the log pipeline can parse every line.'),
      );
    }
  }
  return { applicable: configs.length > 0, findings };
}

/** @internal The function that evaluates each check. */
export const CHECK_EVALUATORS: Readonly<Record<GuardrailCheckId, (model: StackModel) => CheckOutcome>> = {
  'tls-on-every-host': checkTls,
  'trusted-certificates': checkTrustedCertificates,
  'hsts-enabled': checkHsts,
  'no-snippet-annotations': checkSnippets,
  'no-plain-secret-env': checkSecretEnv,
  'container-limits': checkLimits,
  'non-root-containers': checkNonRoot,
  'backstage-network-policy': checkBackstageNetworkPolicy,
  'pinned-images': checkPinnedImages,
  'production-replicas': checkReplicas,
  'production-pdb': checkPdb,
  'json-access-logs': checkJsonLogs,
};
