import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The files of the installed `swagger-ui-dist` the docs page loads. */
export const SWAGGER_UI_FILES = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
} as const;

/** A file name of `SWAGGER_UI_FILES`. */
export type SwaggerUiFile = keyof typeof SWAGGER_UI_FILES;

const cache = new Map<SwaggerUiFile, string>();

/**
 * One of Swagger UI's files, read from the installed package once (no CDN: the page works
 * offline and under a CSP of `'self'`). Their source-map comments are dropped: the maps are
 * not served.
 */
export function swaggerUiFile(file: SwaggerUiFile): string {
  let text = cache.get(file);
  if (text === undefined) {
    const packageJson = createRequire(import.meta.url).resolve('swagger-ui-dist/package.json');
    text = readFileSync(join(dirname(packageJson), file), 'utf8').replace(
      /\n?(?:\/\/# sourceMappingURL=\S+|\/\*# sourceMappingURL=\S+ \*\/)\s*$/,
      '\n',
    );
    cache.set(file, text);
  }
  return text;
}
