// The Backstage backend under test, assembled from Backstage's published npm packages
// the way packages/backend/src/index.ts of a created app does it. Started as
// `node backstage-backend.cjs --config ... --config ...` (the Deployment's args, with
// `packages/backend` replaced by this file).
//
// One stand-in: a real app serves its built frontend through the `app` plugin (the root
// router sends every non-/api path to it). Building a frontend is out of scope here, so a
// tiny `app` plugin serves a page whose script does what ProxiedSignInPage does: GET
// /api/auth/oauth2Proxy/refresh and show the Backstage identity it returns.
'use strict';
const { createBackend } = require('@backstage/backend-defaults');
const { coreServices, createBackendPlugin } = require('@backstage/backend-plugin-api');

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>Backstage</title>
<script src="/static/portal.js" defer></script></head>
<body><h1>Backstage</h1><p>Signed in as <span id="identity">…</span></p></body></html>`;

const SCRIPT = `fetch('/api/auth/oauth2Proxy/refresh', { headers: { 'X-Requested-With': 'XMLHttpRequest' } })
  .then((r) => (r.ok ? r.json() : Promise.reject(new Error('HTTP ' + r.status))))
  .then((b) => { document.getElementById('identity').textContent = b.backstageIdentity.identity.userEntityRef; })
  .catch((e) => { document.getElementById('identity').textContent = 'error: ' + e.message; });`;

const appStandIn = createBackendPlugin({
  pluginId: 'app',
  register(env) {
    env.registerInit({
      deps: { httpRouter: coreServices.httpRouter },
      async init({ httpRouter }) {
        httpRouter.use((req, res, next) => {
          if (req.method !== 'GET') return next();
          if (req.path === '/static/portal.js') return res.type('application/javascript').send(SCRIPT);
          return res.type('html').send(PAGE);
        });
        // The frontend's static files are public, as with @backstage/plugin-app-backend.
        httpRouter.addAuthPolicy({ path: '/', allow: 'unauthenticated' });
      },
    });
  },
});

const backend = createBackend();
backend.add(appStandIn);
backend.add(require('@backstage/plugin-auth-backend'));
backend.add(require('@backstage/plugin-auth-backend-module-oauth2-proxy-provider'));
backend.add(require('@backstage/plugin-catalog-backend'));
// The LDAP org source's module (OrgSource.ldap's backendFeatures): without
// catalog.providers.ldapOrg in the config it provides nothing.
backend.add(require('@backstage/plugin-catalog-backend-module-ldap'));
// The permission plugin as the library's RBAC expects it: the RBAC backend is the
// "permission" plugin (it replaces @backstage/plugin-permission-backend). Without
// permission.enabled in the config it allows everything, as Backstage does by default.
backend.add(require('@backstage-community/plugin-rbac-backend'));
// The MCP actions backend (BackstagePortal mcpActions): without backend.actions.pluginSources
// in the config it offers no tools, so portals without mcpActions see no change.
backend.add(require('@backstage/plugin-mcp-actions-backend'));
backend.start().catch((error) => {
  console.error(error);
  process.exit(1);
});
