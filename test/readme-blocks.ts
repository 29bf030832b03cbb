// Reads the fenced blocks of README.md that carry a marker in their info string, e.g.
// ```sh quickstart   or   ```ts quickstart file=main.ts
// so tests run the README's commands and files exactly as a reader copies them. GitHub
// renders such a block by its first word (the language) and ignores the rest.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export type ReadmeBlock =
  | { readonly kind: 'commands'; readonly language: string; readonly text: string; readonly line: number }
  | {
      readonly kind: 'file';
      readonly language: string;
      readonly path: string;
      readonly text: string;
      readonly line: number;
    };

export const README = resolve(__dirname, '../README.md');

/** The blocks marked `marker`, in document order; `file=<path>` makes a block a file. */
export function readmeBlocks(marker: string, readme = readFileSync(README, 'utf8')): ReadmeBlock[] {
  const blocks: ReadmeBlock[] = [];
  const lines = readme.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S+)((?:\s+\S+)*)\s*$/.exec(lines[i]!);
    if (!open) {
      continue;
    }
    const words = open[2]!.trim().split(/\s+/).filter(Boolean);
    const end = lines.indexOf('```', i + 1);
    if (end < 0) {
      throw new Error(`README.md:${i + 1}: unclosed code block`);
    }
    if (words.includes(marker)) {
      const text = lines.slice(i + 1, end).join('\n') + '\n';
      const file = words.find((w) => w.startsWith('file='))?.slice('file='.length);
      blocks.push(
        file
          ? { kind: 'file', language: open[1]!, path: file, text, line: i + 1 }
          : { kind: 'commands', language: open[1]!, text, line: i + 1 },
      );
    }
    i = end;
  }
  return blocks;
}
