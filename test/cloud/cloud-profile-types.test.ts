// Type-level tests: `npm run typecheck` fails when a profile that always has a DNS-01
// solver or a secret store is typed as maybe not having one (strict users would need `!`),
// or when one that may lack it is typed as always having it. At run time the checks are
// no-ops; the values are asserted too, so the types and the behaviour stay in step.
import { TerraformStack, Testing } from 'cdktf';
import { describe, expect, expectTypeOf, it } from 'vitest';

import {
  type AksProfileOptions,
  CloudProfile,
  type ClusterSecretStore,
  type CompleteCloudProfile,
  Dns01Solver,
  SecretRef,
  SecretStoreProvider as Providers,
  type SecretStoreProvider,
} from '../../lib';
import { expectProblems } from '../helpers';

const stack = () => new TerraformStack(Testing.app(), 'types');
const ZONE = {
  subscriptionId: '00000000-1111-2222-3333-444444444444',
  resourceGroupName: 'rg-dns',
  hostedZoneName: 'example.com',
};
const VAULT = () => Providers.vault({ server: 'https://vault.example.com', role: 'external-secrets' });
const CLOUDFLARE = () => Dns01Solver.cloudflare({ apiToken: SecretRef.fromSecret('cloudflare', 'token') });

describe('CloudProfile types', () => {
  it('EKS and GKE always have a DNS-01 solver and a secret store: no undefined in their types', () => {
    const eks = CloudProfile.eks({ region: 'eu-west-1' });
    const gke = CloudProfile.gke({ project: 'example-portal' });
    expectTypeOf(eks).toEqualTypeOf<CompleteCloudProfile>();
    expectTypeOf(gke).toEqualTypeOf<CompleteCloudProfile>();
    expectTypeOf(eks.dns01Solver()).toEqualTypeOf<Dns01Solver>();
    expectTypeOf(gke.dns01Solver()).toEqualTypeOf<Dns01Solver>();
    expectTypeOf(eks.secretStoreProvider()).toEqualTypeOf<SecretStoreProvider>();
    expectTypeOf(gke.secretStoreProvider()).toEqualTypeOf<SecretStoreProvider>();
    expectTypeOf(eks.secretStore(stack(), 'store')).toEqualTypeOf<ClusterSecretStore>();
    expectTypeOf(gke.secretStore(stack(), 'store')).toEqualTypeOf<ClusterSecretStore>();
    // Used directly, as a strict user writes it (no `!`):
    const solver: Dns01Solver = gke.dns01Solver();
    const store: ClusterSecretStore = gke.secretStore(stack(), 'store');
    expect(Dns01Solver.isDns01Solver(solver)).toBe(true);
    expect(store.reference).toMatchObject({ kind: 'ClusterSecretStore' });
  });

  it('AKS has each only when its options name it', () => {
    const both = CloudProfile.aks({ dnsZone: ZONE, keyVaultUrl: 'https://portal.vault.azure.net' });
    expectTypeOf(both.dns01Solver()).toEqualTypeOf<Dns01Solver>();
    expectTypeOf(both.secretStore(stack(), 'store')).toEqualTypeOf<ClusterSecretStore>();

    const dnsOnly = CloudProfile.aks({ dnsZone: ZONE });
    expectTypeOf(dnsOnly.dns01Solver()).toEqualTypeOf<Dns01Solver>();
    expectTypeOf(dnsOnly.secretStoreProvider()).toEqualTypeOf<SecretStoreProvider | undefined>();
    expect(dnsOnly.secretStoreProvider()).toBeUndefined();

    const storeOnly = CloudProfile.aks({ secretStoreProvider: VAULT() });
    expectTypeOf(storeOnly.dns01Solver()).toEqualTypeOf<Dns01Solver | undefined>();
    expectTypeOf(storeOnly.secretStoreProvider()).toEqualTypeOf<SecretStoreProvider>();
    expect(storeOnly.dns01Solver()).toBeUndefined();

    const bare = CloudProfile.aks();
    expectTypeOf(bare.dns01Solver()).toEqualTypeOf<Dns01Solver | undefined>();
    expectTypeOf(bare.secretStore(stack(), 'store')).toEqualTypeOf<ClusterSecretStore | undefined>();
    // @ts-expect-error: an AKS profile without dnsZone may have no solver
    const notKnown: Dns01Solver = bare.dns01Solver();
    expect(notKnown).toBeUndefined();

    // Options only known by their declared type: either may be missing.
    const options: AksProfileOptions = { dnsZone: ZONE };
    expectTypeOf(CloudProfile.aks(options).dns01Solver()).toEqualTypeOf<Dns01Solver | undefined>();
  });

  it('generic has what it was given', () => {
    const given = CloudProfile.generic({ dns01Solver: CLOUDFLARE(), secretStoreProvider: VAULT() });
    expectTypeOf(given).toEqualTypeOf<CompleteCloudProfile>();
    expectTypeOf(
      CloudProfile.generic({ dns01Solver: CLOUDFLARE() }).dns01Solver(),
    ).toEqualTypeOf<Dns01Solver>();
    expectTypeOf(
      CloudProfile.generic({ secretStoreProvider: VAULT() }).secretStoreProvider(),
    ).toEqualTypeOf<SecretStoreProvider>();
    const none = CloudProfile.generic();
    expectTypeOf(none.secretStore(stack(), 'store')).toEqualTypeOf<ClusterSecretStore | undefined>();
    // @ts-expect-error: a generic profile without secretStoreProvider may have no store
    const store: ClusterSecretStore = none.secretStore(stack(), 'store');
    expect(store).toBeUndefined();
  });

  it('every profile is still a CloudProfile, and unknown options still fail to compile', () => {
    const profiles: CloudProfile[] = [
      CloudProfile.eks({ region: 'eu-west-1' }),
      CloudProfile.aks({ dnsZone: ZONE }),
      CloudProfile.generic(),
    ];
    expectTypeOf(profiles[0]!.dns01Solver()).toEqualTypeOf<Dns01Solver | undefined>();
    // @ts-expect-error: a profile that may lack them is not a complete one
    const complete: CompleteCloudProfile = CloudProfile.aks();
    expect(complete.dns01Solver()).toBeUndefined();
    expectProblems(
      // @ts-expect-error: a misspelt option is refused by the overloads too
      () => CloudProfile.aks({ dnsZone: ZONE, keyVaultUrll: 'https://x.vault.azure.net' }),
      [
        {
          where: 'CloudProfile.aks',
          path: 'keyVaultUrll',
          says: ['is not a known property', 'got "https://x.vault.azure.net"'],
        },
      ],
    );
  });
});
