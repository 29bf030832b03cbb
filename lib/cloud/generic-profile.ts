import * as z from 'zod';

import type { CloudProfileCommonOptions, ProfileData } from './profile-common';
import { checkProfileOptions, NO_IDENTITY, profileOptionsSchema } from './profile-common';

// Any other cluster: the options of CloudProfile.generic and what it makes of them.

/** Options of `CloudProfile.generic`. */
// A type of its own (not an alias) so the API reference has a page for it.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface GenericProfileOptions extends CloudProfileCommonOptions {}

const genericSchema = profileOptionsSchema({}) satisfies z.ZodType<GenericProfileOptions>;

/** @internal The data of a `CloudProfile.generic` profile. */
export function genericProfileData(options: GenericProfileOptions): ProfileData {
  checkProfileOptions('CloudProfile.generic', genericSchema, options);
  return {
    loadBalancer: { public: {}, internal: {} },
    certManager: NO_IDENTITY,
    externalSecrets: NO_IDENTITY,
    ...(options.dns01Solver !== undefined ? { dns01Solver: options.dns01Solver } : {}),
    ...(options.secretStoreProvider !== undefined
      ? { secretStoreProvider: options.secretStoreProvider }
      : {}),
    podIdentityAssociations: [],
    notes: [],
  };
}
