import { Release } from '@cdktf/provider-helm/lib/release';
import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';

import { DEFAULT_CHARTS, Reloader } from '../../lib';
import { renderOperatorRelease, splitTokens } from '../../lib/platform/operator-release';
import { expectProblems } from '../helpers';
import { refusedBy, releaseAttributes, releaseOf, synthPlatform, valuesOf } from './platform-helpers';

describe('operator releases', () => {
  it("render the same helm_release JSON as the provider's generated Release class, set lists included", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'same');
    const scope = new Construct(stack, 'ours');
    const ours = renderOperatorRelease(scope, {
      kind: 'Reloader',
      props: {
        namespace: 'tools',
        releaseName: 'reloader-a',
        wait: false,
        timeoutSeconds: 120,
        createNamespace: false,
      },
      defaultChart: DEFAULT_CHARTS.reloader,
      defaultNamespace: 'reloader',
      values: { reloader: { logFormat: 'json', cidrs: ['10.0.0.0/8'] } },
    }).release;
    const variable = new TerraformVariable(stack, 'ranges', { type: 'list(string)' });
    const oursWithList = renderOperatorRelease(new Construct(stack, 'list'), {
      kind: 'Reloader',
      props: { createNamespace: false },
      defaultChart: DEFAULT_CHARTS.reloader,
      defaultNamespace: 'reloader',
      values: { service: { loadBalancerSourceRanges: variable.listValue } },
    }).release;
    const theirs = new Release(stack, 'theirs', {
      name: 'reloader-a',
      namespace: 'tools',
      createNamespace: false,
      repository: DEFAULT_CHARTS.reloader.repository,
      chart: 'reloader',
      version: DEFAULT_CHARTS.reloader.version,
      values: ['reloader:\n  logFormat: json\n  cidrs:\n    - 10.0.0.0/8\n'],
      wait: false,
      atomic: false,
      cleanupOnFail: true,
      timeout: 120,
      maxHistory: 10,
    });
    const theirsWithList = new Release(stack, 'theirs-list', {
      name: 'reloader',
      namespace: 'reloader',
      createNamespace: false,
      repository: DEFAULT_CHARTS.reloader.repository,
      chart: 'reloader',
      version: DEFAULT_CHARTS.reloader.version,
      values: ['service: {}\n'],
      setList: [{ name: 'service.loadBalancerSourceRanges', value: variable.listValue }],
      wait: true,
      atomic: true,
      cleanupOnFail: true,
      timeout: 600,
      maxHistory: 10,
    });
    const json = JSON.parse(JSON.stringify(stack.toTerraform()));
    const strip = (r: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(r).filter(([k]) => k !== '//'));
    const byPath = (suffix: string) =>
      strip(
        Object.values(json.resource.helm_release as Record<string, any>).find((r) =>
          r['//'].metadata.path.endsWith(suffix),
        ),
      );
    expect(byPath('ours/Release')).toEqual(byPath('same/theirs'));
    expect(byPath('list/Release')).toEqual(byPath('same/theirs-list'));
    expect(byPath('list/Release').set_list).toEqual([
      { name: 'service.loadBalancerSourceRanges', value: '${var.ranges}' },
    ]);
    // The provider requirement is registered exactly as the generated bindings do it.
    expect(ours.terraformGeneratorMetadata).toEqual(theirs.terraformGeneratorMetadata);
    expect(oursWithList.terraformGeneratorMetadata).toEqual(theirsWithList.terraformGeneratorMetadata);
  });

  it("install into the operator's namespace, create it, wait, roll back failed upgrades and keep ten revisions", () => {
    expect(
      releaseAttributes(
        synthPlatform((stack) => new Reloader(stack, 'reloader')),
        'reloader',
      ),
    ).toEqual({
      name: 'reloader',
      namespace: 'reloader',
      create_namespace: false,
      depends_on: [expect.stringMatching(/^kubernetes_namespace_v1\.\w+_Namespace_[0-9A-F]{8}$/)],
      repository: 'https://stakater.github.io/stakater-charts',
      chart: 'reloader',
      version: '2.2.11',
      wait: true,
      atomic: true,
      cleanup_on_fail: true,
      timeout: 600,
      max_history: 10,
    });
  });

  it('create the namespace as a resource of the stack, so cdktf destroy removes it (Helm leaves its own behind)', () => {
    const json = synthPlatform((stack) => new Reloader(stack, 'reloader', { namespace: 'platform' }));
    const namespaces = Object.values(json.resource!.kubernetes_namespace_v1!);
    expect(namespaces.map((n) => n.metadata)).toEqual([
      {
        name: 'platform',
        labels: {
          'app.kubernetes.io/name': 'reloader',
          'app.kubernetes.io/instance': 'reloader',
          'app.kubernetes.io/component': 'namespace',
          'app.kubernetes.io/part-of': 'backstage-portal',
          'app.kubernetes.io/managed-by': 'cdktf-backstage',
        },
      },
    ]);
    expect(releaseOf(json, 'reloader')).toMatchObject({
      create_namespace: false,
      depends_on: [expect.stringMatching(/^kubernetes_namespace_v1\.reloader_Namespace_/)],
    });
  });

  it('take namespace, release name, namespace creation, wait and timeout from the props', () => {
    const attributes = releaseAttributes(
      synthPlatform(
        (stack) =>
          new Reloader(stack, 'reloader', {
            namespace: 'platform',
            releaseName: 'reloader-dev',
            createNamespace: false,
            wait: false,
            timeoutSeconds: 90,
          }),
      ),
      'reloader',
    );
    expect(attributes).toMatchObject({
      name: 'reloader-dev',
      namespace: 'platform',
      create_namespace: false,
      wait: false,
      atomic: false,
      timeout: 90,
    });
  });

  it('pass Terraform references as escaped Helm string values instead of writing them into the YAML', () => {
    const json = synthPlatform((stack) => {
      const role = new TerraformVariable(stack, 'role_arn', { type: 'string' });
      new Reloader(stack, 'reloader', {
        serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': role.stringValue, team: 'platform' },
      });
    });
    expect(releaseOf(json, 'reloader').set).toEqual([
      {
        name: 'reloader.serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn',
        // Terraform escapes the value for Helm's --set parser: \ and "," get a backslash.
        value: '${replace(replace(var.role_arn, "\\\\", "\\\\\\\\"), ",", "\\\\,")}',
        type: 'string',
      },
    ]);
    expect(valuesOf(json, 'reloader').reloader.serviceAccount).toEqual({ annotations: { team: 'platform' } });
    expect(releaseOf(json, 'reloader').values[0]).not.toContain('TfToken');
    expect(releaseOf(json, 'reloader').values[0]).not.toContain('var.role_arn');
  });

  it('escape literal Terraform template syntax in the values YAML', () => {
    const json = synthPlatform(
      (stack) =>
        new Reloader(stack, 'reloader', {
          serviceAccountAnnotations: { note: '${not-a-reference} %{ if x }' },
        }),
    );
    expect(releaseOf(json, 'reloader').values[0]).toContain('note: $${not-a-reference} %%{ if x }');
  });

  it('split numbers and lists that hold references into set and set_list entries', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'split');
    const count = new TerraformVariable(stack, 'count', { type: 'number' });
    const ranges = new TerraformVariable(stack, 'ranges', { type: 'list(string)' });
    const split = splitTokens({
      a: { 'b.c': count.numberValue, keep: 1 },
      list: ranges.listValue,
      mixed: ['10.0.0.0/8', count.numberValue],
      fixed: ['x'],
    });
    expect(split.plain).toEqual({ a: { keep: 1 }, fixed: ['x'] });
    expect(split.set.map((s) => ({ name: s.name, type: s.type }))).toEqual([
      { name: 'a.b\\.c', type: 'auto' },
    ]);
    expect(split.setList.map((s) => s.name)).toEqual(['list', 'mixed']);
  });

  it('refuse a bad namespace, release name, timeout and annotation key in one error', () => {
    expectProblems(
      refusedBy(
        (stack) =>
          new Reloader(stack, 'reloader', {
            namespace: 'Platform',
            releaseName: 'reloader_dev',
            timeoutSeconds: 0,
            serviceAccountAnnotations: { 'not a key': 'x' },
            wait: 'yes',
          } as any),
      ),
      [
        {
          where: 'test/reloader',
          path: 'namespace',
          says: ['must be a valid Kubernetes name', 'got "Platform"'],
        },
        {
          where: 'test/reloader',
          path: 'releaseName',
          says: ['must be a valid Helm release name', 'got "reloader_dev"'],
        },
        {
          where: 'test/reloader',
          path: 'serviceAccountAnnotations.not a key',
          says: ['is not a valid annotation key', 'got "not a key"'],
        },
        { where: 'test/reloader', path: 'wait', says: ['must be true or false', 'got "yes"'] },
        {
          where: 'test/reloader',
          path: 'timeoutSeconds',
          says: ['timeoutSeconds must be at least 1', 'got 0'],
        },
      ],
    );
  });

  it('refuse a timeout over an hour and an unknown prop', () => {
    expectProblems(
      refusedBy(
        (stack) => new Reloader(stack, 'reloader', { timeoutSeconds: 7200, valuesYaml: 'x: 1' } as any),
      ),
      [
        {
          where: 'test/reloader',
          path: 'timeoutSeconds',
          says: ['timeoutSeconds must be at most 3600', 'got 7200'],
        },
        { where: 'test/reloader', path: 'valuesYaml', says: ['is not a known property', 'got "x: 1"'] },
      ],
    );
  });
});
