/**
 * The project's import graph: every `import … from`, `export … from`, `import '…'` and
 * `import('…')` of each TypeScript file, as the TypeScript compiler's pre-processor reads them
 * (so strings and comments that look like imports are not taken for them), relative specifiers
 * resolved to paths from the repository root. The boundary rules (rules.ts) are checked over it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface ImportEdge {
  /** The importing file, from the root ("src/app/context.ts"). */
  from: string;
  /** The imported file from the root ("src/ports.ts"), or the package name ("zod", "node:fs"). */
  to: string;
  line: number;
}

/** The import edges of one file's text. */
export function importsOf(file: string, text: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const { importedFiles } = ts.preProcessFile(text, true, true);
  for (const imported of importedFiles) {
    const spec = imported.fileName;
    const line = text.slice(0, imported.pos).split('\n').length;
    const to = spec.startsWith('.') ? path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.js$/, '.ts') : packageOf(spec);
    edges.push({ from: file, to, line });
  }
  return edges;
}

function packageOf(spec: string): string {
  if (spec.startsWith('node:')) return spec;
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
}

/** Every .ts file under `dirs` (relative to root), test fixtures excluded by the caller's choice of dirs. */
export function sourceFiles(root: string, dirs: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.ts')) out.push(rel);
    }
  };
  for (const d of dirs) walk(d);
  return out.sort();
}

export function importGraph(root: string, dirs: string[]): ImportEdge[] {
  return sourceFiles(root, dirs).flatMap((f) => importsOf(f, readFileSync(path.join(root, f), 'utf8')));
}
