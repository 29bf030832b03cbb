import { Construct } from 'constructs';
import * as z from 'zod';

import { ContainerResources } from '../core/resources';
import { positiveInt } from '../core/schemas';
import { problem } from '../core/validation';
import { chartDisruptionBudget, serviceAccountValues, withDefaultResources } from './chart-pod-values';
import { DEFAULT_CHARTS } from './chart-source';
import { HelmOperator, HelmOperatorProps, helmOperatorSchema } from './operator-release';

export interface ReloaderProps extends HelmOperatorProps {
  /**
   * Replicas; with 2 or more Reloader elects a leader and gets a PodDisruptionBudget.
   * Nothing breaks while it is down (a rotation is only picked up later), so one is enough.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * How Reloader restarts a workload whose Secret or ConfigMap changed: a pod-template
   * annotation (`annotations`, no change to the containers; the library's workloads tell
   * Terraform to ignore that one annotation, so the next apply leaves it) or an environment
   * variable (`env-vars`: the next `terraform apply` of that workload removes the variable
   * again, which rolls the pods once more).
   * @default "annotations"
   */
  readonly reloadStrategy?: 'annotations' | 'env-vars';
}

/** The values this construct gives the reloader chart. */
export interface ReloaderValues {
  readonly reloader: {
    /** Watch every namespace (the portal and the operators live in different ones). */
    readonly watchGlobally: true;
    readonly reloadStrategy: 'annotations' | 'env-vars';
    readonly logFormat: 'json';
    readonly enableHA: boolean;
    readonly deployment: { readonly replicas: number; readonly resources: Required<ContainerResources> };
    readonly podDisruptionBudget: { readonly enabled: boolean; readonly minAvailable?: number };
    readonly serviceAccount?: { readonly annotations: Readonly<Record<string, string>> };
  };
}

const reloaderSchema = helmOperatorSchema({
  replicas: positiveInt('replicas').optional(),
  reloadStrategy: z
    .enum(['annotations', 'env-vars'], {
      error: problem(
        'must be "annotations" or "env-vars"',
        'Keep "annotations" unless your tooling needs the other.',
      ),
    })
    .optional(),
}) satisfies z.ZodType<ReloaderProps>;

/**
 * Stakater Reloader through Helm: restarts the pods of workloads annotated
 * `secret.reloader.stakater.com/reload` (or `reloader.stakater.com/auto`) when a Secret
 * they use changes, e.g. after External Secrets rotated it. It watches every namespace
 * and can read every Secret and ConfigMap in the cluster.
 */
export class Reloader extends HelmOperator<ReloaderValues> {
  constructor(scope: Construct, id: string, props: ReloaderProps = {}) {
    super(scope, id, reloaderSchema, props);

    const replicas = props.replicas ?? 1;
    const values: ReloaderValues = {
      reloader: {
        watchGlobally: true,
        reloadStrategy: props.reloadStrategy ?? 'annotations',
        logFormat: 'json',
        enableHA: replicas > 1,
        deployment: {
          replicas,
          resources: withDefaultResources(props.resources, {
            requests: { cpu: '10m', memory: '64Mi' },
            limits: { cpu: '100m', memory: '256Mi' },
          }),
        },
        podDisruptionBudget: chartDisruptionBudget(replicas),
        ...serviceAccountValues(props),
      },
    };

    this.install({
      kind: 'Reloader',
      props,
      defaultChart: DEFAULT_CHARTS.reloader,
      defaultNamespace: 'reloader',
      values,
    });
  }
}
