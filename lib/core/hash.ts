import { createHash } from 'node:crypto';
import { Fn, Token } from 'cdktf';

/**
 * A checksum of rendered content for a pod annotation, so pods roll when the content
 * changes. Computed here when the content is known; by Terraform when it holds tokens.
 */
export function contentHash(content: string): string {
  if (Token.isUnresolved(content)) {
    return Fn.sha256(content);
  }
  return createHash('sha256').update(content).digest('hex');
}
