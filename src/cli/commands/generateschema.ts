import { writeFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { settingsOwnedBy } from '../../core/config/settings.js';
import { openApiDocument } from '../../core/openapi/openapi-document.js';
import {
  renderDocument,
  SCHEMA_FORMATS,
  type SchemaFormat,
} from '../../core/openapi/render-document.js';
import { createTessera } from '../../core/tessera.js';
import { referenceDocumentOptions, referenceRoutes } from '../../server/routes.js';
import { openSqliteStore } from '../../stores/sqlite/index.js';
import type { CliContext } from '../context.js';
import { packageVersion } from '../package-version.js';
import { runAction } from '../run-action.js';

interface GenerateschemaOptions {
  format: SchemaFormat;
  file?: string;
  title?: string;
  description?: string;
  api_version?: string;
}

/**
 * The reference server's OpenAPI document, as the server would serve it. The views are declared
 * over a private in-memory database: describing them reads no data, so `DATABASE_URL` is
 * neither opened nor needed.
 */
export async function referenceSchema(
  context: CliContext,
  options: GenerateschemaOptions,
): Promise<string> {
  const store = openSqliteStore({ filename: ':memory:' });
  const tessera = createTessera({ store, settings: settingsOwnedBy('library', context.settings) });
  try {
    const described = referenceDocumentOptions(referenceRoutes(tessera), packageVersion());
    const document = openApiDocument({
      ...described,
      ...(options.title ? { title: options.title } : {}),
      ...(options.description ? { description: options.description } : {}),
      ...(options.api_version ? { version: options.api_version } : {}),
    });
    return renderDocument(document, options.format);
  } finally {
    await tessera.close();
    await store.close();
  }
}

/** DRF's `generateschema`: the OpenAPI document, YAML by default, on stdout or in `--file`. */
export function registerGenerateschema(program: Command, context: CliContext): void {
  program
    .command('generateschema')
    .description("Print the reference server's OpenAPI 3.1 document (served at /api/schema/).")
    .addOption(
      new Option('--format <format>', 'openapi (YAML) or openapi-json')
        .choices(Object.keys(SCHEMA_FORMATS))
        .default('openapi'),
    )
    .option('--file <path>', 'write the document to this file instead of stdout')
    .option('--title <title>', "the document's title")
    .option('--description <text>', "the document's description")
    .option('--api_version <version>', "the API's version (default: tessera-auth's)")
    .action(
      runAction(context, async (options: GenerateschemaOptions) => {
        const text = await referenceSchema(context, options);
        if (options.file) writeFileSync(options.file, text);
        else context.stdout.write(text);
      }),
    );
}
