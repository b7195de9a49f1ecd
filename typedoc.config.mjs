// TypeDoc's configuration for `npm run docs`: the API reference of every public entry point.
// The entry points are read from package.json "exports", so a subpath added or removed there is
// documented (or dropped) without editing this file: each export's declaration file
// (dist/<path>.d.ts) is documented from its source (src/<path>.ts).
import { readFileSync } from 'node:fs';

const manifest = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

/** The source file behind one export's declaration file, e.g. ./dist/adapters/hono.d.ts. */
function sourceOf(declarations) {
  return declarations.replace(/^\.\/dist\//, './src/').replace(/\.d\.ts$/, '.ts');
}

function declarationsOf(target) {
  if (typeof target === 'string') return target.endsWith('.d.ts') ? target : undefined;
  if (target && typeof target === 'object') {
    if (typeof target.types === 'string') return target.types;
    for (const nested of Object.values(target)) {
      const found = declarationsOf(nested);
      if (found) return found;
    }
  }
  return undefined;
}

const entryPoints = Object.entries(manifest.exports)
  .map(([, target]) => declarationsOf(target))
  .filter((declarations) => declarations !== undefined)
  .map(sourceOf);

/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  name: manifest.name,
  entryPoints,
  tsconfig: './tsconfig.build.json',
  out: './api-docs',
  readme: 'none',
  // A type that an export's signature names but that no entry point exports (an options
  // object, a result) is documented beside the export that uses it, instead of being a warning
  // and a dead name in the reference.
  plugin: ['typedoc-plugin-missing-exports'],
  placeInternalsInOwningModule: true,
  // No public repository address is configured, so no "defined in" links to one.
  disableSources: true,
  excludePrivate: true,
  excludeExternals: true,
  excludeInternal: true,
  treatWarningsAsErrors: true,
  validation: { notExported: true, invalidLink: true, notDocumented: false },
};
