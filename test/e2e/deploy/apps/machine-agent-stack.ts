// An in-cluster agent (MachineAgent) in a namespace of its own, for the deploy suite: the
// stack the app machine-agent.ts synthesizes, and the props the suite builds the same
// agent from in its own process to ask `machineClient()` what the portal would admit.
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { dependable, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';

import { MachineAgent, type MachineAgentProps } from '../../../../lib';

/** The agent's props; `issuerUrl` is the test cluster's service-account issuer. */
export function agentProps(issuerUrl: string): MachineAgentProps {
  return {
    namespace: 'agents',
    name: 'catalog-agent',
    audience: 'backstage-agents',
    machineHost: 'api.backstage.dev.example.com',
    issuerUrl,
    // Nothing pulls it: the cluster's nodes are simulated (kwok). Pinned and qualified all the same.
    image: 'registry.example.com/platform/catalog-agent:2.0.1',
    env: { LOG_LEVEL: 'info' },
  };
}

export class AgentStack extends TerraformStack {
  public readonly agent: MachineAgent;

  constructor(scope: Construct, id: string, issuerUrl: string) {
    super(scope, id);
    new KubernetesProvider(this, 'kubernetes', { configPath: '~/.kube/config', configContext: 'dev' });
    // Pod Security "restricted" enforced, so the API server itself admits the agent's pod or not.
    const namespace = new NamespaceV1(this, 'Namespace', {
      metadata: { name: 'agents', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
    });
    this.agent = new MachineAgent(this, 'agent', agentProps(issuerUrl));
    // The ServiceAccount goes into the namespace, so after it; the Deployment follows the
    // ServiceAccount by its name's reference.
    this.agent.serviceAccount.dependsOn = [dependable(namespace)];
  }
}
