import { mediaTypeMatches, parseDjangoHeader } from '../drf-compat/media-type.js';
import { pythonStrip } from '../drf-compat/python-strings.js';
import { NotAcceptable, NotFound } from '../errors.js';
import type { View } from '../http/view.js';
import { getOnlyView } from './get-only-view.js';
import type { OpenApiDocument } from './openapi-document.js';
import {
  isSchemaFormat,
  renderDocument,
  SCHEMA_FORMATS,
  type SchemaFormat,
} from './render-document.js';

// DRF's SchemaView lists OpenAPIRenderer first: it answers `*/*` and no `Accept` with YAML.
const RENDERERS: readonly SchemaFormat[] = ['openapi', 'openapi-json'];

function acceptedFormat(accept: string | undefined): SchemaFormat {
  if (accept === undefined || accept.trim() === '') return 'openapi';
  for (const entry of accept.split(',')) {
    const parsed = parseDjangoHeader(pythonStrip(entry), false);
    if ('error' in parsed) continue;
    for (const format of RENDERERS) {
      const [type = '', subtype = ''] = SCHEMA_FORMATS[format].split('/');
      if (mediaTypeMatches(parsed.header, type, subtype)) return format;
    }
    // `application/json` asks for the JSON document under its usual name.
    if (mediaTypeMatches(parsed.header, 'application', 'json')) return 'openapi-json';
  }
  throw new NotAcceptable();
}

/**
 * DRF's schema view: GET answers the document as YAML (`application/vnd.oai.openapi`), or as
 * JSON (`application/vnd.oai.openapi+json`) with `?format=openapi-json` or an `Accept` that asks
 * for it; another `?format=` is 404, an `Accept` naming neither is 406. Public, as the routes
 * it describes say themselves which credentials they need.
 * @example
 * mountView(app, '/api/schema/', schemaView(openApiDocument({ title, version, routes })));
 */
export function schemaView(document: OpenApiDocument): View {
  // The document does not change while the server runs: each format is rendered once.
  const rendered = new Map<SchemaFormat, string>();
  return getOnlyView({
    name: 'Schema',
    description: 'The OpenAPI 3.1 document of this API.',
    renders: RENDERERS.map((format) => SCHEMA_FORMATS[format]),
    render: (request) => {
      const formatParam = request.query('format');
      let format: SchemaFormat;
      // An empty `?format=` is ignored, as DRF tests the value's truthiness.
      if (formatParam) {
        if (!isSchemaFormat(formatParam)) throw new NotFound();
        format = formatParam;
      } else {
        format = acceptedFormat(request.header('accept'));
      }
      let body = rendered.get(format);
      if (body === undefined) {
        body = renderDocument(document, format);
        rendered.set(format, body);
      }
      return { contentType: SCHEMA_FORMATS[format], body };
    },
  });
}
