// Ingress controller configuration found in the stack: the Helm releases of the
// ingress-nginx and F5 NGINX Ingress charts, with their values merged in the order Helm
// applies them (the YAML `values` documents in order, then `set`, then `set_sensitive`).

import { parse as parseYaml } from 'yaml';

import { InspectedResource, isObj, many, Obj, one, StackModel, strings } from './stack-model';

/** Which controller a chart installs. */
export type ControllerFlavour = 'ingress-nginx' | 'f5-nginx-ingress';

/** One ingress controller release of the stack. */
export interface ControllerConfig {
  readonly resource: InspectedResource;
  readonly flavour: ControllerFlavour;
  /** The merged Helm values (YAML `values` in order, then `set`). */
  readonly values: Obj;
}

export function chartFlavour(attributes: Readonly<Obj>): ControllerFlavour | undefined {
  const chart = typeof attributes.chart === 'string' ? attributes.chart : '';
  const last = chart.replace(/\/+$/, '').split('/').pop() ?? '';
  const name = last.replace(/-[0-9][^/]*\.tgz$/, '');
  if (name === 'ingress-nginx') {
    return 'ingress-nginx';
  }
  if (name === 'nginx-ingress') {
    return 'f5-nginx-ingress';
  }
  return undefined;
}

function deepMerge(target: Obj, source: Obj): Obj {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    target[key] = isObj(current) && isObj(value) ? deepMerge({ ...current }, value) : value;
  }
  return target;
}

/** Splits a Helm `--set` path on dots that are not escaped (`a.b\.c` is `a` → `b.c`). */
export function setPath(name: string): string[] {
  return name.split(/(?<!\\)\./).map((part) => part.replace(/\\\./g, '.'));
}

export function helmValues(attributes: Readonly<Obj>): Obj {
  let merged: Obj = {};
  for (const text of strings(attributes.values)) {
    try {
      const parsed: unknown = parseYaml(text);
      if (isObj(parsed)) {
        merged = deepMerge(merged, parsed);
      }
    } catch {
      // Unparseable (e.g. a plan-time expression): nothing can be concluded from it.
    }
  }
  for (const entry of [...many(attributes.set), ...many(attributes.set_sensitive)]) {
    if (typeof entry.name !== 'string') {
      continue;
    }
    const path = setPath(entry.name);
    let node = merged;
    path.slice(0, -1).forEach((key) => {
      if (!isObj(node[key])) {
        node[key] = {};
      }
      node = node[key] as Obj;
    });
    node[path[path.length - 1] as string] = entry.value;
  }
  return merged;
}

/** Every ingress controller release of the stack, with its merged values. */
export function controllerConfigs(model: StackModel): ControllerConfig[] {
  return model.resources
    .filter((r) => r.type === 'helm_release')
    .map((resource) => ({
      resource,
      flavour: chartFlavour(resource.attributes),
      values: helmValues(resource.attributes),
    }))
    .filter((c): c is ControllerConfig => c.flavour !== undefined);
}

/** The NGINX config map of a controller release: ingress-nginx `controller.config`, F5 `controller.config.entries`. */
export function nginxConfig(config: ControllerConfig): Obj {
  const controllerConfig = one(one(config.values.controller).config);
  return config.flavour === 'ingress-nginx' ? controllerConfig : one(controllerConfig.entries);
}
