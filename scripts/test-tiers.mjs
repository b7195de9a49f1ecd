// Which tier each test file belongs to, by a rule rather than a list, so a new test lands in
// one without anyone keeping a register:
//   package  under test/package/ or test/packaging/, or importing test/package/packed-project.ts:
//            tests of the packed, installed tarball;
//   db       the file, or a test module it imports (transitively), imports a PostgreSQL,
//            MariaDB or Redis driver (pg, mysql2, ioredis), as the service helpers
//            test/stores/fresh-database.ts and test/stores/redis/redis-test-server.ts do;
//   unit     every other test: no service needed (core, adapters, CLI and servers on SQLite).
// A file that matches two rules takes the first.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

/** The tiers, in the order `npm test` would run them if it ran them one by one. */
export const TIERS = ['unit', 'db', 'package'];

const PACKAGE_DIRECTORIES = ['test/package/', 'test/packaging/'];
const PACKED_PROJECT = 'test/package/packed-project.ts';

// The drivers only a test that talks to a service has a reason to import.
const SERVICE_DRIVERS = new Set(['pg', 'mysql2', 'mysql2/promise', 'ioredis']);

// `import … from '…'`, `export … from '…'`, `import '…'` and `import('…')`.
const IMPORT_SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])([^'"\n]+)\1/gm;

const importsByFile = new Map();

function importsOf(file) {
  let imports = importsByFile.get(file);
  if (imports === undefined) {
    const source = readFileSync(file, 'utf8');
    imports = [...source.matchAll(IMPORT_SPECIFIER)].map((match) => match[2]);
    importsByFile.set(file, imports);
  }
  return imports;
}

// A relative import inside test/ names the `.js` a `.ts` (or `.mts`) file compiles to.
function resolveTestModule(from, specifier) {
  const target = normalize(join(dirname(from), specifier));
  if (!target.startsWith('test/')) return undefined;
  const candidates = [target, target.replace(/\.js$/, '.ts'), target.replace(/\.mjs$/, '.mts')];
  return candidates.find((candidate) => statSync(candidate, { throwIfNoEntry: false })?.isFile());
}

/** Every test module `file` reaches through relative imports, itself included. */
function testModulesReached(file, reached = new Set()) {
  if (reached.has(file)) return reached;
  reached.add(file);
  for (const specifier of importsOf(file)) {
    const module = specifier.startsWith('.') ? resolveTestModule(file, specifier) : undefined;
    if (module && /\.m?[jt]s$/.test(module)) testModulesReached(module, reached);
  }
  return reached;
}

/** The tier of one test file, given as a path relative to the repository (`test/…`). */
export function tierOf(file) {
  const path = file.replaceAll('\\', '/');
  if (PACKAGE_DIRECTORIES.some((directory) => path.startsWith(directory))) return 'package';
  const modules = [...testModulesReached(path)];
  // Elsewhere, a test that builds the tarball (test/docs runs the docs' snippets against it).
  if (modules.some((module) => module === PACKED_PROJECT)) return 'package';
  const importsDriver = (module) =>
    importsOf(module).some((specifier) => SERVICE_DRIVERS.has(specifier));
  return modules.some(importsDriver) ? 'db' : 'unit';
}
