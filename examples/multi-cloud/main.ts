// Three environments on three kinds of cluster (dev on-prem, staging on GKE, prod on EKS)
// from one shared access policy. Each environment is a YAML file checked by the same
// schema (environment.schema.json gives editors completion) and becomes two stacks:
// <name>-platform (operators through Helm) and <name>-portal (custom resources and the
// portal), each with its own state backend. Synthesizes with no cloud credentials.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { App } from 'cdktf';
import { parse } from 'yaml';

import { environmentStacks, loadEnvironmentFile, parseSharedAccessPolicy } from '../../lib';

const here = __dirname;
const app = new App({ outdir: process.env.CDKTF_OUTDIR ?? join(process.cwd(), 'cdktf.out') });
const access = parseSharedAccessPolicy(
  parse(readFileSync(join(here, 'access-policy.yaml'), 'utf8')),
  'access-policy.yaml',
);
for (const file of readdirSync(join(here, 'environments'))
  .filter((f) => f.endsWith('.yaml'))
  .sort()) {
  environmentStacks(app, loadEnvironmentFile(join(here, 'environments', file)), access);
}
app.synth();
