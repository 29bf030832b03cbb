// The deploy suite's chart-mirror app: two stacks, each installing Reloader from a mirror that
// wants a login (harness/chart-mirrors.ts starts both on loopback):
//   dev-chart-repository  a Helm repository: E2E_CHART_REPOSITORY_URL, its CA in
//                         E2E_CHART_REPOSITORY_CA (left out: no caFile, for the control)
//   dev-chart-registry    an OCI registry: E2E_CHART_REGISTRY_REFERENCE
//   dev-chart-repository-mtls  a Helm repository that wants a client certificate (mutual
//                         TLS) and no login: E2E_CHART_MTLS_REPOSITORY_URL, its CA in
//                         E2E_CHART_MTLS_REPOSITORY_CA, the client certificate and key in
//                         E2E_CHART_CLIENT_CERT and E2E_CHART_CLIENT_KEY (left out: none, for
//                         the control)
// The passwords are sensitive variables, filled from TF_VAR_chart_repository_password and
// TF_VAR_chart_registry_password at deploy time.
import { join } from 'node:path';

import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { App, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';

import { ChartSource, Reloader } from '../../../../lib';

const required = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set (test/e2e/deploy/chart-mirrors.ts sets it)`);
  return value;
};

/** A platform stack with one Reloader, whose chart the given function locates. */
class MirrorStack extends TerraformStack {
  constructor(scope: Construct, id: string, name: string, chart: (stack: TerraformStack) => ChartSource) {
    super(scope, id);
    const kubeconfig = { configPath: '~/.kube/config', configContext: 'dev' };
    new KubernetesProvider(this, 'kubernetes', kubeconfig);
    new HelmProvider(this, 'helm', { kubernetes: kubeconfig });
    new Reloader(this, 'reloader', {
      namespace: name,
      releaseName: name,
      chart: chart(this),
      timeoutSeconds: 300,
    });
  }
}

const password = (stack: TerraformStack, name: string) =>
  new TerraformVariable(stack, name, { type: 'string', sensitive: true });

const app = new App({ outdir: process.env.CDKTF_OUTDIR ?? join(process.cwd(), 'cdktf.out') });
new MirrorStack(app, 'dev-chart-repository', 'reloader-from-repository', (stack) =>
  ChartSource.repository(required('E2E_CHART_REPOSITORY_URL'), 'reloader', '2.2.11', {
    login: { username: 'ci-robot', password: password(stack, 'chart_repository_password') },
    caFile: process.env.E2E_CHART_REPOSITORY_CA || undefined,
  }),
);
const clientCert = process.env.E2E_CHART_CLIENT_CERT;
const clientKey = process.env.E2E_CHART_CLIENT_KEY;
new MirrorStack(app, 'dev-chart-repository-mtls', 'reloader-from-mtls-repository', () =>
  ChartSource.repository(required('E2E_CHART_MTLS_REPOSITORY_URL'), 'reloader', '2.2.11', {
    caFile: required('E2E_CHART_MTLS_REPOSITORY_CA'),
    ...(clientCert && clientKey ? { clientCertificate: { certFile: clientCert, keyFile: clientKey } } : {}),
  }),
);
new MirrorStack(app, 'dev-chart-registry', 'reloader-from-registry', (stack) =>
  ChartSource.oci(required('E2E_CHART_REGISTRY_REFERENCE'), '2.2.11', {
    login: { username: 'ci-robot', password: password(stack, 'chart_registry_password') },
  }),
);
app.synth();
