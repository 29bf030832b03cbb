import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import {
  Backstage,
  BackstageDatabase,
  BackstageProps,
  MachineClient,
  MCP_ACTIONS_BACKEND_PACKAGE,
  SecretRef,
} from '../../lib';
import { expectProblems, resourceAt, synth } from '../helpers';

const agent = (plugins: readonly string[]) =>
  MachineClient.kubernetesServiceAccount({
    issuerUrl: 'https://kubernetes.default.svc.cluster.local',
    audience: 'backstage-agents',
    namespace: 'agents',
    serviceAccount: 'catalog-agent',
    accessRestrictions: plugins.map((plugin) => ({ plugin })),
  });

function props(overrides: Partial<BackstageProps> = {}): BackstageProps {
  return {
    namespace: 'backstage',
    host: 'backstage.example.com',
    image: 'registry.example.com/platform/backstage:1.4.2',
    database: BackstageDatabase.external({
      host: 'db.example.com',
      user: 'backstage',
      password: SecretRef.fromSecret('backstage-db', 'password'),
    }),
    ...overrides,
  };
}

/** The app-config the construct renders, as Backstage reads it, and the construct. */
function rendered(overrides: Partial<BackstageProps>) {
  let backstage: Backstage | undefined;
  const json = synth((stack) => {
    backstage = new Backstage(stack, 'bs', props(overrides));
  });
  const data = resourceAt(json, 'kubernetes_config_map_v1', 'bs/AppConfig').data;
  return { config: parse(data['app-config.portal.yaml']), backstage: backstage! };
}

describe('Backstage mcpActions (the MCP actions backend)', () => {
  it('offers the catalog’s read-only actions by default, and names the package the image must add', () => {
    const { config, backstage } = rendered({ mcpActions: {} });
    expect(config.backend.actions).toEqual({
      pluginSources: ['catalog'],
      filter: { include: [{ attributes: { readOnly: true } }] },
    });
    expect(config.mcpActions).toBeUndefined();
    // (The package name, its plugin id and the MCP path are checked against the real plugin
    // in the sign-in suite, machine-agents.test.ts.)
    expect(backstage.backendFeatures).toEqual([MCP_ACTIONS_BACKEND_PACKAGE]);
  });

  it('with actions "all" lists every action of the given plugins, and names the server', () => {
    const { config } = rendered({
      mcpActions: {
        pluginSources: ['catalog', 'scaffolder'],
        actions: 'all',
        name: 'acme-portal',
        description: 'Service metadata of Acme',
      },
    });
    expect(config.backend.actions).toEqual({ pluginSources: ['catalog', 'scaffolder'] });
    expect(config.mcpActions).toEqual({ name: 'acme-portal', description: 'Service metadata of Acme' });
  });

  it('keeps the machine clients’ externalAccess beside it (the restriction that lets an agent reach it)', () => {
    const { config } = rendered({ mcpActions: {}, machineClients: [agent(['catalog', 'mcp-actions'])] });
    expect(config.backend.auth.externalAccess).toEqual([
      expect.objectContaining({
        type: 'jwks',
        accessRestrictions: [{ plugin: 'catalog' }, { plugin: 'mcp-actions' }],
      }),
    ]);
  });

  it('without mcpActions renders no actions config and needs no package', () => {
    const { config, backstage } = rendered({});
    expect(config.backend.actions).toBeUndefined();
    expect(backstage.backendFeatures).toEqual([]);
  });

  it('refuses a machine client allowed "mcp-actions" when mcpActions is not set', () => {
    expectProblems(
      () =>
        synth(
          (stack) =>
            new Backstage(stack, 'bs', props({ machineClients: [agent(['catalog', 'mcp-actions'])] })),
        ),
      [
        {
          path: 'machineClients[0].accessRestrictions[1].plugin',
          says: ['allows "mcp-actions", but mcpActions is not set', 'Set mcpActions'],
        },
      ],
    );
  });

  it('refuses an empty plugin list, a plugin id that is not one, and an unknown actions value', () => {
    expectProblems(
      () => synth((stack) => new Backstage(stack, 'bs', props({ mcpActions: { pluginSources: [] } }))),
      [{ path: 'mcpActions.pluginSources', says: 'must name at least one plugin' }],
    );
    expectProblems(
      () =>
        synth((stack) => new Backstage(stack, 'bs', props({ mcpActions: { pluginSources: ['Catalog'] } }))),
      [{ path: 'mcpActions.pluginSources[0]', says: 'must be a Backstage plugin id' }],
    );
    expectProblems(
      () =>
        synth(
          (stack) =>
            // @ts-expect-error: not one of the two values
            new Backstage(stack, 'bs', props({ mcpActions: { actions: 'destructive' } })),
        ),
      [{ path: 'mcpActions.actions', says: 'must be "read-only" or "all"' }],
    );
  });
});
