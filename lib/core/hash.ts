import { createHash } from 'node:crypto';
import { Fn, Token, Tokenization } from 'cdktf';

/**
 * A checksum of rendered content for a pod annotation, so pods roll when the content
 * changes. The literal text is hashed here; values only known at plan time (tokens such
 * as a host from a variable) are hashed by Terraform and appended.
 */
export function contentHash(content: string): string {
  const literal = createHash('sha256').update(content).digest('hex');
  if (!Token.isUnresolved(content)) {
    return literal;
  }
  const tokens = Tokenization.reverseString(content).tokens.map((t) => Token.asString(t));
  return `${literal.slice(0, 32)}-${Fn.sha256(Fn.join('|', tokens))}`;
}
