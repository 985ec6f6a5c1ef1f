// The layer rules of src/ (DESIGN §8), read from the import graph: no cycle, static or dynamic;
// core/ and crypto/ touch no I/O; capabilities import the kernel, never each other; only the git
// and child-process modules start processes. Type-only imports are not edges: they vanish in the
// build. The checks are tried on a made-up graph first, so that none of them passes vacuously.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Modules by path under src/ ("operations/project/read-project.ts"), each with what it imports. */
type Graph = Map<string, { imports: string[]; builtins: string[]; text: string }>;

function listSources(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listSources(path.join(dir, entry.name), relative));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(relative);
  }
  return out;
}

/** Value imports and re-exports, static and dynamic, with `import type` left out. */
function readImports(text: string): string[] {
  const specifiers: string[] = [];
  const statements =
    /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/g;
  for (const m of text.matchAll(statements)) if (!m[2]) specifiers.push(m[3] as string);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    // `typeof import('…')` is a type.
    if (!/typeof\s*$/.test(text.slice(0, m.index))) specifiers.push(m[1] as string);
  }
  return specifiers;
}

function readGraph(): Graph {
  const graph: Graph = new Map();
  for (const file of listSources(SRC)) {
    const text = readFileSync(path.join(SRC, file), 'utf8');
    const imports: string[] = [];
    const builtins: string[] = [];
    for (const specifier of readImports(text)) {
      if (specifier.startsWith('node:')) builtins.push(specifier);
      else if (specifier.startsWith('.')) {
        const target = path.posix.join(path.posix.dirname(file), specifier);
        imports.push(target.replace(/\.js$/, '.ts'));
      }
    }
    graph.set(file, { imports, builtins, text });
  }
  return graph;
}

/** Every cycle's modules (strongly connected components of more than one, or a self-import). */
function findCycles(graph: Graph): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string) => {
    indices.set(node, index);
    low.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node)?.imports ?? []) {
      if (!graph.has(next)) continue;
      if (!indices.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) as number, indices.get(next) as number));
      }
    }
    if (low.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      const selfImport = graph.get(node)?.imports.includes(node) ?? false;
      if (component.length > 1 || selfImport) cycles.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return cycles;
}

const CAPABILITIES = ['secrets', 'envs', 'team', 'git', 'diagnostics'];
const capabilityOf = (file: string) => /^operations\/([^/]+)\//.exec(file)?.[1] ?? null;
const PROCESS_STARTERS = new Set([
  'io/git.ts',
  'io/git-objects.ts',
  'io/child-process.ts',
  'io/process-handle.ts',
]);

/** Every broken rule, as `file → import: rule`. */
function findViolations(graph: Graph): string[] {
  const out: string[] = [];
  for (const [file, { imports, builtins, text }] of graph) {
    const layer = file.split('/')[0] as string;
    const pure = layer === 'core' || layer === 'crypto';
    for (const builtin of builtins) {
      if (
        pure &&
        (builtin === 'node:fs' ||
          builtin.startsWith('node:fs/') ||
          builtin === 'node:child_process')
      )
        out.push(`${file} → ${builtin}: core/ and crypto/ do no I/O`);
    }
    if (!PROCESS_STARTERS.has(file) && /node:child_process|process_wrap/.test(text))
      out.push(`${file}: only the git and child-process modules start processes`);
    for (const target of imports) {
      const to = target.split('/')[0] as string;
      if (pure && !['core', 'crypto', 'errors.ts'].includes(to))
        out.push(`${file} → ${target}: core/ and crypto/ import only core/, crypto/ and errors`);
      if (layer === 'io' && !['io', 'core', 'errors.ts', 'runtime.ts'].includes(to))
        out.push(`${file} → ${target}: io/ imports only io/, core/ and errors`);
      if (layer === 'operations' && ['cli', 'bundles', 'main.ts'].includes(to))
        out.push(`${file} → ${target}: operations return data; commands and bundles call them`);
      const from = capabilityOf(file);
      const into = capabilityOf(target);
      if (from !== null && into !== null && from !== into) {
        if (from === 'project')
          out.push(`${file} → ${target}: the kernel (operations/project) imports no capability`);
        else if (into !== 'project')
          out.push(`${file} → ${target}: capabilities import the kernel, never each other`);
      }
      if (into !== null && into !== 'project' && !CAPABILITIES.includes(into))
        out.push(`${target}: a capability folder this test does not know (add it to CAPABILITIES)`);
    }
  }
  return out;
}

function fakeGraph(edges: Record<string, string[] | { imports: string[]; text: string }>): Graph {
  const graph: Graph = new Map();
  for (const [file, value] of Object.entries(edges)) {
    const { imports, text } = Array.isArray(value) ? { imports: value, text: '' } : value;
    graph.set(file, {
      imports: imports.filter((i) => !i.startsWith('node:')),
      builtins: imports.filter((i) => i.startsWith('node:')),
      text,
    });
  }
  return graph;
}

describe('the checks themselves', () => {
  it('find a cycle through a dynamic import, and none in a tree', () => {
    expect(
      readImports(`const { a } = await import('./a.js');\nimport type { T } from './t.js';`),
    ).toEqual(['./a.js']);
    expect(findCycles(fakeGraph({ 'a.ts': ['b.ts'], 'b.ts': ['c.ts'], 'c.ts': ['a.ts'] }))).toEqual(
      [['a.ts', 'b.ts', 'c.ts']],
    );
    expect(
      findCycles(fakeGraph({ 'a.ts': ['b.ts', 'c.ts'], 'b.ts': ['c.ts'], 'c.ts': [] })),
    ).toEqual([]);
  });

  it('find each kind of broken rule', () => {
    const violations = findViolations(
      fakeGraph({
        'core/x.ts': ['node:fs', 'io/y.ts'],
        'io/y.ts': ['operations/project/z.ts'],
        'operations/team/a.ts': ['operations/secrets/b.ts', 'cli/c.ts'],
        'operations/project/z.ts': ['operations/team/a.ts'],
        'operations/secrets/b.ts': { imports: [], text: "import('node:child_process')" },
      }),
    );
    expect(violations).toEqual([
      'core/x.ts → node:fs: core/ and crypto/ do no I/O',
      'core/x.ts → io/y.ts: core/ and crypto/ import only core/, crypto/ and errors',
      'io/y.ts → operations/project/z.ts: io/ imports only io/, core/ and errors',
      'operations/team/a.ts → operations/secrets/b.ts: capabilities import the kernel, never each other',
      'operations/team/a.ts → cli/c.ts: operations return data; commands and bundles call them',
      'operations/project/z.ts → operations/team/a.ts: the kernel (operations/project) imports no capability',
      'operations/secrets/b.ts: only the git and child-process modules start processes',
    ]);
  });
});

describe('src/', () => {
  const graph = readGraph();

  it('is read whole: every relative import names a source file', () => {
    expect(graph.size).toBeGreaterThan(100);
    const missing = [...graph].flatMap(([file, { imports }]) =>
      imports.filter((i) => !graph.has(i)).map((i) => `${file} → ${i}`),
    );
    // Text files (templates) are imported too; anything else missing is a misread graph.
    expect(missing.filter((m) => !m.endsWith('.txt'))).toEqual([]);
  });

  it('has no import cycle, static or dynamic', () => {
    expect(findCycles(graph)).toEqual([]);
  });

  it('keeps its layers', () => {
    expect(findViolations(graph)).toEqual([]);
  });
});
