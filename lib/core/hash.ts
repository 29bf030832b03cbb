import { createHash } from 'node:crypto';

import { Fn, Token, Tokenization } from 'cdktf';

/**
 * A checksum of rendered content for a pod annotation, so pods roll when the content
 * changes. The literal text is hashed here; values only known at plan time (tokens such
 * as a host from a variable) are hashed by Terraform and appended. The literal part leaves
 * the tokens' placeholders out: their numbers follow the order tokens were created in the
 * whole app, so an unrelated construct added earlier would change the hash and roll the pods.
 */
export function contentHash(content: string): string {
  if (!Token.isUnresolved(content)) {
    return createHash('sha256').update(content).digest('hex');
  }
  const fragments = Tokenization.reverseString(content);
  // The literals in order, with a separator where each token stood.
  const literal = createHash('sha256').update(fragments.literals.map(String).join('\u0000')).digest('hex');
  const tokens = fragments.tokens.map((t) => Token.asString(t));
  return `${literal.slice(0, 32)}-${Fn.sha256(Fn.join('|', tokens))}`;
}
