// The deploy suite's agent app: one stack, dev-agent, with the MachineAgent of
// machine-agent-stack.ts. E2E_AGENT_ISSUER is the test cluster's service-account issuer.
import { join } from 'node:path';

import { App } from 'cdktf';

import { AgentStack } from './machine-agent-stack';

const issuer = process.env.E2E_AGENT_ISSUER;
if (!issuer) throw new Error("E2E_AGENT_ISSUER must name the cluster's service-account issuer");
const app = new App({ outdir: process.env.CDKTF_OUTDIR ?? join(process.cwd(), 'cdktf.out') });
new AgentStack(app, 'dev-agent', issuer);
app.synth();
