// The layers of src/, read from the import statements: the engine stands on the ground floor,
// the schemas on the engine, and the HTTP and queue adapters meet only through src/service/.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

interface ImportEdge {
  from: string;
  to: string;
  typeOnly: boolean;
}

/** Top-level part of src/ a file belongs to: its folder, or the file name for files at the top. */
function layerOf(path: string): string {
  const rel = relative(SRC, path).split(/[\\/]/);
  return rel.length > 1 ? rel[0]! : rel[0]!.replace(/\.ts$/, '');
}

/** Every relative import, re-export and dynamic import of one file, resolved to a path. */
function importsOf(file: string, text: string): ImportEdge[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const edges: ImportEdge[] = [];
  const add = (specifier: ts.Expression | undefined, typeOnly: boolean) => {
    if (!specifier || !ts.isStringLiteralLike(specifier) || !specifier.text.startsWith('.')) return;
    edges.push({ from: file, to: resolve(dirname(file), specifier.text.replace(/\.js$/, '.ts')), typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const bindings = clause?.namedBindings;
      const everyNameTyped =
        clause !== undefined &&
        clause.name === undefined &&
        bindings !== undefined &&
        ts.isNamedImports(bindings) &&
        bindings.elements.length > 0 &&
        bindings.elements.every((element) => element.isTypeOnly);
      add(node.moduleSpecifier, clause?.isTypeOnly === true || everyNameTyped);
    } else if (ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

interface Rule {
  layer: string;
  /** Layers it must not import at run time. */
  forbids: readonly string[] | 'everything-else';
  /** Layers it may still import for types alone. */
  typesFrom?: readonly string[];
  why: string;
}

const RULES: readonly Rule[] = [
  { layer: 'engine', forbids: 'everything-else', typesFrom: ['schemas'], why: 'the engine is pure and knows no service' },
  { layer: 'schemas', forbids: ['http', 'queue', 'service', 'validation', 'harness', 'calibration', 'cli', 'runtime', 'config'], why: 'the contract depends on the engine alone' },
  { layer: 'measured-run', forbids: ['http', 'queue', 'service', 'validation', 'harness', 'cli', 'runtime'], why: 'the shape of a measured run is plain data' },
  {
    layer: 'advice',
    forbids: ['http', 'queue', 'service', 'validation', 'harness', 'calibration', 'measured-run', 'inspect', 'cli', 'runtime', 'config'],
    why: 'advice re-runs the engine and is pure: the adapters call it',
  },
  { layer: 'calibration', forbids: ['http', 'queue', 'service', 'validation', 'harness', 'cli', 'runtime'], why: 'fitting is pure' },
  {
    layer: 'planning',
    forbids: ['http', 'queue', 'service', 'validation', 'harness', 'calibration', 'measured-run', 'inspect', 'cli', 'runtime', 'config'],
    why: 'planning searches the engine, pure like it',
  },
  {
    layer: 'inspect',
    forbids: ['http', 'queue', 'service', 'validation', 'harness', 'calibration', 'measured-run', 'cli', 'runtime', 'config'],
    why: 'drafting from an instance’s figures is pure, beside one read-only adapter',
  },
  {
    layer: 'pictures',
    forbids: ['http', 'queue', 'service', 'validation', 'harness', 'calibration', 'measured-run', 'inspect', 'cli', 'runtime', 'config'],
    why: 'charts and reports are drawn from a result alone',
  },
  { layer: 'harness', forbids: ['http', 'queue', 'service', 'validation', 'calibration', 'cli'], why: 'the harness measures; scoring and reports sit above it' },
  { layer: 'http', forbids: ['queue', 'validation', 'harness', 'cli'], why: 'routes see the service interface only' },
  { layer: 'queue', forbids: ['http', 'validation', 'harness', 'cli'], why: 'the queue implements the service, it does not serve HTTP' },
  {
    layer: 'client',
    forbids: ['engine', 'http', 'queue', 'service', 'validation', 'harness', 'calibration', 'measured-run', 'inspect', 'cli', 'runtime', 'config'],
    why: 'a client of the API knows its contract (the schemas), not the server',
  },
  { layer: 'service', forbids: ['http', 'queue', 'validation', 'harness', 'cli', 'runtime'], why: 'the boundary both sides share' },
];

function violations(edges: readonly ImportEdge[]): string[] {
  const found: string[] = [];
  for (const edge of edges) {
    const from = layerOf(edge.from);
    const to = layerOf(edge.to);
    if (from === to) continue;
    for (const rule of RULES) {
      if (rule.layer !== from) continue;
      const forbidden = rule.forbids === 'everything-else' || rule.forbids.includes(to);
      const typeAllowed = edge.typeOnly && (rule.typesFrom?.includes(to) ?? false);
      if (forbidden && !typeAllowed) {
        found.push(`${relative(SRC, edge.from)} imports ${relative(SRC, edge.to)}${edge.typeOnly ? ' (types)' : ''}: ${rule.why}`);
      }
    }
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('layering of src/', () => {
  it('no import under src/ crosses a layer the wrong way', () => {
    const files = sourceFiles(SRC);
    expect(files.length).toBeGreaterThan(50);
    const edges = files.flatMap((file) => importsOf(file, readFileSync(file, 'utf8')));
    expect(violations(edges)).toEqual([]);
  });

  it('reads type-only imports, re-exports and dynamic imports, and flags what breaks the rules', () => {
    const file = join(SRC, 'engine', 'example.ts');
    const edges = importsOf(
      file,
      [
        "import type { Scenario } from '../schemas/scenario.js';",
        "import { type SimulationResult } from '../schemas/result.js';",
        "import { LIMITS } from '../schemas/scenario.js';",
        "export { simulationId } from '../service/job-id.js';",
        "const queue = await import('../queue/simulation-queue.js');",
        "import { round } from './numbers.js';",
      ].join('\n'),
    );
    expect(edges.map((edge) => [relative(SRC, edge.to), edge.typeOnly])).toEqual([
      ['schemas/scenario.ts', true],
      ['schemas/result.ts', true],
      ['schemas/scenario.ts', false],
      ['service/job-id.ts', false],
      ['queue/simulation-queue.ts', false],
      ['engine/numbers.ts', false],
    ]);
    expect(violations(edges)).toHaveLength(3);
    const http = importsOf(join(SRC, 'http', 'routes', 'x.ts'), "import type { Job } from '../../queue/simulation-job.js';");
    expect(violations(http)).toHaveLength(1);
  });
});
