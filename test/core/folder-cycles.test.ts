// The folders of lib/ import each other in one direction only (core at the bottom): a
// cycle between two folders means neither can be read, moved or tested without the other.
// This reads the relative import and export-from statements of every lib/ file.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

import { describe, expect, it } from 'vitest';

const LIB = resolve(__dirname, '../../lib');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** The top-level folder of lib/ a file is in (`.` for lib/index.ts). */
const folderOf = (file: string): string => relative(LIB, dirname(file)).split(sep)[0] || '.';

/** Folder to the folders it imports, each with the files that do. */
function folderGraph(): Map<string, Map<string, Set<string>>> {
  const graph = new Map<string, Map<string, Set<string>>>();
  for (const file of sourceFiles(LIB)) {
    const from = folderOf(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(
      /\b(?:import|export)\s[^;]*?\bfrom\s*'(\.[^']*)'/g,
    )) {
      const to = folderOf(resolve(dirname(file), specifier!));
      if (to === from) {
        continue;
      }
      const targets = graph.get(from) ?? new Map<string, Set<string>>();
      graph.set(from, targets);
      targets.set(to, (targets.get(to) ?? new Set()).add(relative(LIB, file)));
    }
  }
  return graph;
}

/** Every cycle, as the folders along it (each cycle once, from its smallest folder). */
function cycles(graph: Map<string, Map<string, Set<string>>>): string[][] {
  const found = new Map<string, string[]>();
  const walk = (path: string[]): void => {
    for (const next of graph.get(path[path.length - 1]!)?.keys() ?? []) {
      const at = path.indexOf(next);
      if (at >= 0) {
        const cycle = path.slice(at);
        const start = cycle.indexOf([...cycle].sort()[0]!);
        const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
        found.set(rotated.join(' -> '), rotated);
      } else {
        walk([...path, next]);
      }
    }
  };
  for (const folder of graph.keys()) {
    walk([folder]);
  }
  return [...found.values()];
}

describe('lib/ folders', () => {
  it('import each other without cycles', () => {
    const graph = folderGraph();
    const described = cycles(graph).map((cycle) =>
      cycle
        .map(
          (from, i) =>
            `${from} -> ${cycle[(i + 1) % cycle.length]} (${[...graph.get(from)!.get(cycle[(i + 1) % cycle.length]!)!].join(', ')})`,
        )
        .join('; '),
    );
    expect(described).toEqual([]);
  });

  it('sees the imports it checks', () => {
    // A reader that found nothing would pass the test above for any tree; lib/index.ts
    // re-exports from every folder.
    const folders = readdirSync(LIB, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect([...(folderGraph().get('.')?.keys() ?? [])].sort()).toEqual(folders.sort());
  });
});
