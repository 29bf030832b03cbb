// Backstage's MCP actions backend (`@backstage/plugin-mcp-actions-backend`): the actions that
// plugins register (the catalog's get-catalog-entity, query-catalog-entities, ...) offered
// to AI agents as MCP tools at `/api/mcp-actions/v1` (streamable HTTP).
//
// Two facts of the plugin (0.2.4) and of backend-defaults (0.19) this file builds on:
// - tools come only from the plugins listed in `backend.actions.pluginSources`; with none the
//   server answers with no tools at all;
// - each call runs with the caller's credentials: the MCP plugin asks the action's plugin on
//   the caller's behalf, so an external machine client needs `accessRestrictions` naming
//   `mcp-actions` (to reach the server) and every plugin whose actions it calls.
import * as z from 'zod';

import { MCP_ACTIONS_PATH, MCP_ACTIONS_PLUGIN_ID } from '../core/mcp';
import { problem } from '../core/validation';

export { MCP_ACTIONS_PATH, MCP_ACTIONS_PLUGIN_ID };

/** The npm package your image's backend must add for {@link BackstageProps.mcpActions}. */
export const MCP_ACTIONS_BACKEND_PACKAGE = '@backstage/plugin-mcp-actions-backend';

/** Options of Backstage's MCP actions backend. */
export interface McpActionsOptions {
  /**
   * Plugins whose registered actions become MCP tools (`backend.actions.pluginSources`).
   * @default ["catalog"]
   */
  readonly pluginSources?: readonly string[];
  /**
   * Which actions are offered: `read-only` keeps only those their plugin marks `readOnly`
   * (the catalog's get and query actions, not register or unregister), `all` offers every
   * action of the plugins above. Backstage's permissions still apply to each call.
   * @default "read-only"
   */
  readonly actions?: 'read-only' | 'all';
  /**
   * The server's display name (`mcpActions.name`), shown by MCP clients.
   * @default "backstage"
   */
  readonly name?: string;
  /** What the server offers, for the agent (`mcpActions.description`). */
  readonly description?: string;
}

const pluginId = z
  .string()
  .regex(
    /^[a-z0-9]+(-[a-z0-9]+)*$/,
    problem(
      'must be a Backstage plugin id',
      'Use the plugin id in lower case, e.g. "catalog" or "scaffolder".',
    ),
  );

/** @internal */
export const mcpActionsSchema = z.strictObject({
  pluginSources: z
    .array(pluginId)
    .min(
      1,
      problem(
        'must name at least one plugin',
        'List the plugins whose actions agents may call, e.g. ["catalog"].',
      ),
    )
    .optional(),
  actions: z
    .enum(['read-only', 'all'], {
      error: problem('must be "read-only" or "all"', 'Pick which actions become MCP tools.'),
    })
    .optional(),
  name: z.string().min(1).optional(),
  description: z.string().min(1).optional(),
});

/** @internal The app-config the MCP actions backend reads. */
export function mcpActionsAppConfig(options: McpActionsOptions): Record<string, unknown> {
  const server = {
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.description !== undefined ? { description: options.description } : {}),
  };
  return {
    backend: {
      actions: {
        pluginSources: [...(options.pluginSources ?? ['catalog'])],
        // The actions service filters before the MCP server lists or calls anything, so a
        // destructive action is neither listed nor callable.
        ...((options.actions ?? 'read-only') === 'read-only'
          ? { filter: { include: [{ attributes: { readOnly: true } }] } }
          : {}),
      },
    },
    ...(Object.keys(server).length > 0 ? { mcpActions: server } : {}),
  };
}
