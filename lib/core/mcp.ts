// Where Backstage's MCP actions backend (`@backstage/plugin-mcp-actions-backend`) serves, and
// its plugin id: shared by the Backstage construct (lib/backstage) and the agents that call it
// (lib/access), which must not import each other's folders.

/** The plugin id of the MCP actions backend: what `accessRestrictions` name to allow it. */
export const MCP_ACTIONS_PLUGIN_ID = 'mcp-actions';
/** The path of the MCP server (streamable HTTP), below the Backstage base URL. */
export const MCP_ACTIONS_PATH = '/api/mcp-actions/v1';
