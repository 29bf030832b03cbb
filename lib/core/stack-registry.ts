import { TerraformStack } from 'cdktf';
import { Construct, IConstruct } from 'constructs';

import { brand, isBranded } from './brand';
import { PropsValidationError } from './errors';

const BRAND = Symbol.for('cdktf-backstage.StackRegistry');

/**
 * @internal
 * State a stack keeps for the constructs in it: a child of the stack with a fixed id,
 * holding one map. Some objects are made once per stack however many constructs ask for
 * them (a ClusterIssuer of a name, a ClusterSecretStore of a name, the Secret made from a
 * variable in a namespace); the record of what was made lives in the construct tree, next
 * to what it records, and goes with the stack.
 *
 * It is found by id and brand rather than `instanceof`, like the value objects, so two
 * copies of this library in one app see the same record. It holds no resources: it adds
 * nothing to the synthesized JSON.
 */
export class StackRegistry<V> extends Construct {
  /** The registry of this id in the stack of `scope`, made on first use. One id holds one kind of value. */
  public static of<V>(scope: IConstruct, id: string): StackRegistry<V> {
    const stack = TerraformStack.of(scope);
    const existing = stack.node.tryFindChild(id);
    if (existing === undefined) {
      return new StackRegistry<V>(stack, id);
    }
    if (isStackRegistry<V>(existing)) {
      return existing;
    }
    throw new PropsValidationError([
      `[${stack.node.path}] ${id}: is the id of a construct this library keeps its per-stack state in, got ${existing.node.path}. Give that construct another id.`,
    ]);
  }

  private readonly entries = new Map<string, V>();

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    brand(this, BRAND);
  }

  /** The value recorded under `key`, if any. */
  public get(key: string): V | undefined {
    return this.entries.get(key);
  }

  /** Records `value` under `key`. */
  public set(key: string, value: V): void {
    this.entries.set(key, value);
  }
}

// The type parameter is not checked at run time: each id is used by one module, for one
// kind of value.
function isStackRegistry<V>(value: IConstruct): value is StackRegistry<V> {
  return isBranded(value, BRAND);
}
