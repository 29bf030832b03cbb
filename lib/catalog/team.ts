import * as z from 'zod';

import { brand, isBranded } from '../core/brand';
import { valueObjectSchema } from '../core/schemas';
import { problem } from '../core/validation';

const BRAND = Symbol.for('cdktf-backstage.Team');

/** Options of {@link Team.of}. */
export interface TeamOptions {
  /**
   * The group as the IdP writes it into the ID token's groups claim, which is what the
   * gateway compares (`access.groups`). Keycloak and Okta put names there; Entra ID puts
   * group object ids (GUIDs).
   * @default - the team's name
   */
  readonly idpGroup?: string;
}

/** Backstage's rule for entity names (catalog-model's `makeValidator`): at most 63 characters. */
export const ENTITY_NAME = /^[a-zA-Z0-9]+([._-][a-zA-Z0-9]+)*$/;

/** @internal */
export const teamNameSchema = z
  .string()
  .max(
    63,
    problem(
      'must be at most 63 characters long',
      'Shorten the group name: Backstage entity names have at most 63 characters.',
    ),
  )
  .regex(
    ENTITY_NAME,
    problem(
      'must be a Backstage entity name',
      'Use letters and digits, separated by single ".", "_" or "-" (e.g. "platform-admins").',
    ),
  );

/** @internal */
export const teamOptionsSchema = z.strictObject({
  idpGroup: z
    .string()
    .regex(
      /^\S(.*\S)?$/,
      problem(
        'must be a group without surrounding whitespace',
        'Give the group exactly as the IdP puts it in the groups claim.',
      ),
    )
    .optional(),
}) satisfies z.ZodType<TeamOptions>;

/**
 * A team: one Group entity in Backstage's catalog (`group:default/<name>`) and the group
 * the IdP puts into the ID token. Declared once, it feeds the gateway's allowed groups
 * (`access.groups`), the static org and the RBAC role bindings, so a renamed team changes
 * all of them together.
 */
export class Team {
  /** A team by its catalog name (`group:default/<name>`). */
  public static of(name: string, options: TeamOptions = {}): Team {
    return new Team(name, options);
  }

  public static isTeam(value: unknown): value is Team {
    return isBranded(value, BRAND);
  }

  /** The group as the ID token's groups claim has it (the gateway compares this). */
  public readonly idpGroup: string;
  /** `group:default/<name>`, as Backstage and the RBAC plugin name the group. */
  public readonly entityRef: string;

  private constructor(
    /** The Group entity's `metadata.name`. */
    public readonly name: string,
    /** @internal */
    public readonly options: TeamOptions,
  ) {
    brand(this, BRAND);
    this.idpGroup = options.idpGroup ?? name;
    this.entityRef = `group:default/${name}`;
  }
}

/** @internal A Team, checked (name and options) where a prop takes it. */
export const teamSchema = valueObjectSchema(
  Team.isTeam,
  'a Team',
  'Use Team.of("<group name>").',
).superRefine((team, ctx) => {
  const name = teamNameSchema.safeParse(team.name);
  if (!name.success) {
    ctx.addIssue({
      code: 'custom',
      path: ['name'],
      message: name.error.issues[0]!.message,
      params: { nestedValue: { value: team.name } },
    });
  }
  const options = teamOptionsSchema.safeParse(team.options);
  if (!options.success) {
    for (const issue of options.error.issues) {
      ctx.addIssue({
        code: 'custom',
        path: ['idpGroup'],
        message: issue.message,
        params: { nestedValue: { value: team.idpGroup } },
      });
    }
  }
});
