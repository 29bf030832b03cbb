// Providers belong to the user's stack (see DESIGN), so a construct cannot add the one it
// needs. cdktf notices a missing provider, but its message names neither the construct
// nor the class to add ("add provider constructs [e.g. new RandomProvider(...)] ... for
// the following providers: kubernetes"). This validation says both.
import { TerraformDataSource, TerraformProvider, TerraformResource, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';

/** The provider classes of the resource types this library renders. */
const PROVIDER_CLASSES: Readonly<
  Record<string, { readonly className: string; readonly module: string; readonly example: string }>
> = {
  kubernetes: {
    className: 'KubernetesProvider',
    module: '@cdktf/provider-kubernetes/lib/provider',
    example:
      "new KubernetesProvider(stack, 'kubernetes', { configPath: '~/.kube/config', configContext: '<context>' })",
  },
  helm: {
    className: 'HelmProvider',
    module: '@cdktf/provider-helm/lib/provider',
    example:
      "new HelmProvider(stack, 'helm', { kubernetes: { configPath: '~/.kube/config', configContext: '<context>' } })",
  },
};

function providerNameOf(node: IConstruct): string | undefined {
  if (TerraformResource.isTerraformResource(node) || TerraformDataSource.isTerraformDataSource(node)) {
    const name = node.terraformGeneratorMetadata?.providerName;
    return name !== undefined && name !== 'terraform' ? name : undefined;
  }
  return undefined;
}

/**
 * @internal
 * The problems of `construct`'s providers: one line for each provider a resource under it
 * needs and its stack lacks, naming the construct, the provider class, its import path
 * and the resource types that need it. Empty when every provider is there.
 */
export function missingProviders(construct: IConstruct, constructName: string): string[] {
  const needed = new Map<string, Set<string>>();
  for (const node of construct.node.findAll()) {
    const provider = providerNameOf(node);
    if (provider === undefined) {
      continue;
    }
    const types = needed.get(provider) ?? new Set<string>();
    types.add((node as TerraformResource).terraformResourceType);
    needed.set(provider, types);
  }
  if (needed.size === 0) {
    return [];
  }
  const stack = TerraformStack.of(construct);
  const present = new Set(
    stack.node
      .findAll()
      .filter((node): node is TerraformProvider => TerraformProvider.isTerraformProvider(node))
      .map((provider) => provider.terraformGeneratorMetadata?.providerName),
  );
  const problems: string[] = [];
  for (const [provider, types] of [...needed].sort(([a], [b]) => a.localeCompare(b))) {
    if (present.has(provider)) {
      continue;
    }
    const known = PROVIDER_CLASSES[provider];
    const list = [...types].sort();
    const resources =
      list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
    const fix = known
      ? `Add ${known.example} (import { ${known.className} } from '${known.module}').`
      : `Add the ${provider} provider to the stack.`;
    problems.push(
      `${constructName}: its ${resources} need${list.length === 1 ? 's' : ''} a ${known?.className ?? `${provider} provider`} in stack "${stack.node.id}", got none. ${fix}`,
    );
  }
  return problems;
}

/**
 * @internal
 * Fails the synth, with a message naming `constructName` and the provider class to add,
 * when a resource under `construct` belongs to a provider its stack does not have.
 */
export function requireProviders(construct: IConstruct, constructName: string): void {
  construct.node.addValidation({ validate: () => missingProviders(construct, constructName) });
}
