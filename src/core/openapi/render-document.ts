import { createRequire } from 'node:module';
import type { OpenApiDocument } from './openapi-document.js';

// Loaded on the first YAML answer, not when tessera is imported: most apps never render one.
let yaml: typeof import('yaml') | undefined;

/** The formats of `tessera generateschema --format` and `?format=`, as DRF's schema renderers. */
export const SCHEMA_FORMATS = {
  openapi: 'application/vnd.oai.openapi',
  'openapi-json': 'application/vnd.oai.openapi+json',
} as const;

/** `openapi` (YAML, the default) or `openapi-json`. */
export type SchemaFormat = keyof typeof SCHEMA_FORMATS;

/** True for a format name tessera renders. */
export function isSchemaFormat(format: string): format is SchemaFormat {
  return Object.hasOwn(SCHEMA_FORMATS, format);
}

/**
 * The document as DRF's `OpenAPIRenderer` (YAML) or `JSONOpenAPIRenderer` (indented JSON) writes
 * it, ending with a newline. Shared objects are written out in full, never as YAML aliases,
 * which some OpenAPI tools do not follow.
 */
export function renderDocument(document: OpenApiDocument, format: SchemaFormat): string {
  if (format === 'openapi-json') return `${JSON.stringify(document, null, 2)}\n`;
  yaml ??= createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return yaml.stringify(document, { aliasDuplicateObjects: false, lineWidth: 0 });
}
