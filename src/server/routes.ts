import type { OpenApiDocumentOptions, SchemaRoute } from '../core/openapi/openapi-document.js';
import type { Tessera } from '../core/tessera.js';
import { buildTriggerView } from './build-trigger.js';

/** Where the reference server serves its OpenAPI document and Swagger UI. */
export const SCHEMA_PATH = '/api/schema/';
export const DOCS_PATH = '/api/docs/';

/**
 * The reference server's API, one row per path: the server mounts these and its OpenAPI
 * document describes the same list, so no route is served undocumented.
 */
export function referenceRoutes(tessera: Tessera): SchemaRoute[] {
  const { views } = tessera;
  return [
    { path: '/api/build-trigger/', view: buildTriggerView(tessera.tokenAuthentication) },
    { path: '/api-token-auth/', view: views.obtainToken },
    { path: '/api-token-auth/logout/', view: views.logout },
    { path: '/api-token-auth/logoutall/', view: views.logoutAll },
    { path: '/api/tokens/', view: views.tokens.list },
    { path: '/api/tokens/:id/', view: views.tokens.detail },
    { path: '/api/tokens/:id/rotate/', view: views.tokens.rotate },
    { path: '/auth/verify/', view: views.forwardAuth },
  ];
}

/** What the reference server's OpenAPI document says of it, as `tessera generateschema` prints it. */
export function referenceDocumentOptions(
  routes: readonly SchemaRoute[],
  version: string,
): OpenApiDocumentOptions {
  return {
    title: 'tessera reference server',
    version,
    description:
      "Django REST Framework's token authentication: log in at `POST /api-token-auth/` for a " +
      'key, then send it as `Authorization: Token <key>`.',
    routes,
  };
}

/** The schema and docs views at their paths (`/api/docs/:asset` serves Swagger UI's files). */
export function schemaRoutes(tessera: Tessera, document: OpenApiDocumentOptions): SchemaRoute[] {
  // Relative to the docs page, so the pair works under any prefix a proxy adds.
  const docs = tessera.views.docs({ schemaUrl: '../schema/' });
  return [
    { path: SCHEMA_PATH, view: tessera.views.schema(document) },
    { path: DOCS_PATH, view: docs },
    { path: `${DOCS_PATH}:asset`, view: docs },
  ];
}
