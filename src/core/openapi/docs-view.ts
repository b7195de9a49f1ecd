import { NotFound } from '../errors.js';
import type { View } from '../http/view.js';
import { getOnlyView } from './get-only-view.js';
import { SWAGGER_UI_FILES, type SwaggerUiFile, swaggerUiFile } from './swagger-ui-assets.js';

/** Where the docs page finds the schema, and how it names the key's keyword. */
export interface DocsViewOptions {
  /** The schema view's URL, relative to the page; default `../schema/` (`/api/schema/`). */
  readonly schemaUrl?: string;
  /** The keyword put before a key pasted alone; default `Token`. */
  readonly keyword?: string;
  /** The page's title; default `API docs`. */
  readonly title?: string;
}

const INITIALIZER = 'swagger-initializer.js';

// Scripts and styles from this origin only: the page runs no inline script, so an injected
// `<script>` cannot run. `data:` images are Swagger UI's own icons.
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function page(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="swagger-ui-bundle.js"></script>
<script src="${INITIALIZER}"></script>
</body>
</html>
`;
}

/**
 * Starts Swagger UI on the schema. A key pasted alone under "Authorize" gets the keyword put
 * before it, so `tsr_…` and `Token tsr_…` both work; the key stays in the page's memory, never
 * in the browser's storage.
 */
function initializer(schemaUrl: string, keyword: string): string {
  return `'use strict';
window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(schemaUrl)},
  dom_id: '#swagger-ui',
  deepLinking: true,
  persistAuthorization: false,
  requestInterceptor: (request) => {
    const value = request.headers && request.headers.Authorization;
    if (typeof value === 'string' && value.trim() !== '' && !/\\s/.test(value.trim())) {
      request.headers.Authorization = ${JSON.stringify(`${keyword} `)} + value.trim();
    }
    return request;
  },
});
`;
}

/**
 * Swagger UI on the schema view, served from the installed `swagger-ui-dist`: mount it at a
 * path and at `<path>:asset` (`/api/docs/` and `/api/docs/:asset`). A reader pastes a key once
 * under "Authorize" and tries every operation from the page. Every answer carries a CSP that
 * allows no inline script.
 * @example
 * const docs = docsView({ schemaUrl: '../schema/' });
 * mountView(app, '/api/docs/', docs);
 * mountView(app, '/api/docs/:asset', docs);
 */
export function docsView(options: DocsViewOptions = {}): View {
  const html = page(options.title ?? 'API docs');
  const script = initializer(
    `${options.schemaUrl ?? '../schema/'}?format=openapi-json`,
    options.keyword ?? 'Token',
  );
  return getOnlyView({
    name: 'API Docs',
    description: 'Swagger UI for the OpenAPI document.',
    renders: ['text/html'],
    render: (_request, params) => {
      const asset = params.asset;
      if (asset === undefined || asset === '') {
        return { contentType: 'text/html; charset=utf-8', body: html, headers: PAGE_HEADERS };
      }
      if (asset === INITIALIZER) {
        return {
          contentType: 'text/javascript; charset=utf-8',
          body: script,
          headers: PAGE_HEADERS,
        };
      }
      if (Object.hasOwn(SWAGGER_UI_FILES, asset)) {
        const file = asset as SwaggerUiFile;
        return {
          contentType: SWAGGER_UI_FILES[file],
          body: swaggerUiFile(file),
          headers: PAGE_HEADERS,
        };
      }
      throw new NotFound();
    },
  });
}
