// Machine clients as data: the CI jobs and in-cluster agents that call Backstage with tokens
// of their own issuers (workload identity, never a stored token), declared next to the
// people's access policy so that every environment admits the same ones, plus any one
// environment adds (an agent's ServiceAccount, whose issuer is that cluster's). Each entry is
// one of `MachineClient`'s presets; the shapes are checked here, with the file's path, and
// what the values mean (an audience, a ref, a subject) by the presets themselves, the same
// rules as in TypeScript. `MachineClient.dangerousStaticToken` has no data form on purpose.
import * as z from 'zod';

import {
  type AccessRestriction,
  type GitHubActionsMachineClientOptions,
  type GitLabCiMachineClientOptions,
  type KubernetesServiceAccountMachineClientOptions,
  MachineClient,
  type OidcMachineClientOptions,
} from '../access/machine-client';
import { problem } from '../core/validation';

/** One machine client: `type` names the `MachineClient` preset, the rest are its options. */
export type MachineClientData =
  | ({ readonly type: 'github-actions' } & GitHubActionsMachineClientOptions)
  | ({ readonly type: 'gitlab-ci' } & GitLabCiMachineClientOptions)
  | ({ readonly type: 'kubernetes-service-account' } & KubernetesServiceAccountMachineClientOptions)
  | ({ readonly type: 'oidc' } & OidcMachineClientOptions);

const strings = z.array(z.string());
/** What every preset takes. */
const common = {
  audience: z.string(),
  subjectPrefix: z.string().optional(),
  accessRestrictions: z
    .array(z.strictObject({ plugin: z.string(), permissions: strings.optional() }))
    .optional() satisfies z.ZodType<readonly AccessRestriction[] | undefined>,
};

/** @internal */
export const machineClientDataSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('github-actions'),
      ...common,
      repository: z.string(),
      refs: strings.optional(),
      environments: strings.optional(),
      issuerUrl: z.string().optional(),
    }),
    z.strictObject({
      type: z.literal('gitlab-ci'),
      ...common,
      projectPath: z.string(),
      refs: z.array(z.strictObject({ type: z.enum(['branch', 'tag']), name: z.string() })),
      gitlabUrl: z.string().optional(),
    }),
    z.strictObject({
      type: z.literal('kubernetes-service-account'),
      ...common,
      issuerUrl: z.string(),
      jwksUrl: z.string().optional(),
      namespace: z.string(),
      serviceAccount: z.string(),
    }),
    z.strictObject({
      type: z.literal('oidc'),
      ...common,
      issuerUrl: z.string(),
      jwksUrl: z.string(),
      subjects: strings,
      algorithms: strings.optional(),
    }),
  ],
  {
    error: problem(
      'must have type "github-actions", "gitlab-ci", "kubernetes-service-account" or "oidc"',
      'Pick the preset of the MachineClient: where the tokens come from. (A static token has no data form: use workload identity.)',
    ),
  },
) satisfies z.ZodType<MachineClientData>;

/** A preset's options: the entry without its `type`. */
function optionsOf<T extends { readonly type: string }>({ type: _preset, ...options }: T): Omit<T, 'type'> {
  return options;
}

/** The `MachineClient` of each entry, in order. */
export function machineClientsOf(data: readonly MachineClientData[]): MachineClient[] {
  return data.map((entry) => {
    switch (entry.type) {
      case 'github-actions':
        return MachineClient.githubActions(optionsOf(entry));
      case 'gitlab-ci':
        return MachineClient.gitlabCi(optionsOf(entry));
      case 'kubernetes-service-account':
        return MachineClient.kubernetesServiceAccount(optionsOf(entry));
      case 'oidc':
        return MachineClient.oidc(optionsOf(entry));
    }
  });
}
