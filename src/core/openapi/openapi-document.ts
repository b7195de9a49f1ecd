import { AllowAny } from '../auth/permissions.js';
import { PARSER_MEDIA_TYPES } from '../drf-compat/parse-body.js';
import { HANDLER_METHODS, type HandlerMethod } from '../http/handler-methods.js';
import type { View } from '../http/view.js';
import { drfErrorResponses, ERROR_SCHEMAS, requiredScopes } from './drf-error-responses.js';
import { defaultOperationId } from './operation-id.js';
import type { OperationShape, ParameterShape, ResponseShape } from './operation-shape.js';
import { type ApiKeySecurityScheme, securitySchemeOf } from './security-scheme.js';

/** A view and the path it is mounted at, in the router's spelling (`/api/tokens/:id/`). */
export interface SchemaRoute {
  readonly path: string;
  readonly view: View;
}

/** What the document says about the API as a whole. */
export interface OpenApiDocumentOptions {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
  readonly routes: readonly SchemaRoute[];
}

/** An OpenAPI 3.1 document, ready to render as JSON or YAML. */
export type OpenApiDocument = { readonly openapi: '3.1.0' } & Record<string, unknown>;

/** `/api/tokens/:id/` as OpenAPI writes it, `/api/tokens/{id}/`, and the parameters' names. */
export function openApiPath(routePath: string): { path: string; parameters: string[] } {
  const parameters: string[] = [];
  const path = routePath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_match, name: string) => {
    parameters.push(name);
    return `{${name}}`;
  });
  return { path, parameters };
}

// drf-spectacular tags an operation with the path's first segment after an `api` prefix.
function defaultTag(path: string): string {
  const segments = path.split('/').filter((segment) => segment !== '' && !segment.startsWith('{'));
  return (segments[0] === 'api' ? segments[1] : segments[0]) ?? 'api';
}

function parameterObject(parameter: ParameterShape): Record<string, unknown> {
  return {
    name: parameter.name,
    in: parameter.in,
    ...(parameter.description ? { description: parameter.description } : {}),
    required: parameter.in === 'path' ? true : (parameter.required ?? false),
    schema: parameter.repeated ? { type: 'array', items: parameter.schema } : parameter.schema,
    ...(parameter.repeated ? { style: 'form', explode: true } : {}),
    ...(parameter.example !== undefined ? { example: parameter.example } : {}),
  };
}

function parameters(pathParameters: readonly string[], shape: OperationShape): unknown[] {
  const declared = shape.parameters ?? [];
  const fromPath = pathParameters.map(
    (name) =>
      declared.find((parameter) => parameter.in === 'path' && parameter.name === name) ?? {
        name,
        in: 'path' as const,
        schema: { type: 'string' },
      },
  );
  const others = declared.filter(
    (parameter) => !(parameter.in === 'path' && pathParameters.includes(parameter.name)),
  );
  return [...fromPath, ...others].map(parameterObject);
}

function responseObject(response: ResponseShape): Record<string, unknown> {
  return {
    description: response.description,
    ...(response.headers ? { headers: response.headers } : {}),
    ...(response.schema
      ? {
          content: {
            'application/json': {
              schema: response.schema,
              ...(response.example !== undefined ? { example: response.example } : {}),
            },
          },
        }
      : {}),
  };
}

function responses(view: View, shape: OperationShape): Record<string, unknown> {
  const merged: Record<number, ResponseShape | null> = {
    ...drfErrorResponses(
      {
        authentication: view.options.authentication ?? [],
        permissions: view.options.permissions ?? [],
        throttled: (view.options.throttles?.length ?? 0) > 0,
        allow: view.allow,
      },
      shape.requestBody !== undefined,
    ),
    ...shape.responses,
  };
  const statuses = Object.keys(merged).map(Number);
  // A handler that returns nothing answers DRF's `Response()`: 200 without a body.
  if (!statuses.some((status) => status >= 200 && status < 300)) {
    merged[200] = { description: 'Done; no body.' };
  }
  const result: Record<string, unknown> = {};
  for (const status of Object.keys(merged)
    .map(Number)
    .sort((a, b) => a - b)) {
    const response = merged[status];
    if (response) result[String(status)] = responseObject(response);
  }
  return result;
}

function requestBody(view: View, shape: OperationShape): Record<string, unknown> | undefined {
  const body = shape.requestBody;
  if (!body) return undefined;
  const content: Record<string, unknown> = {};
  for (const parser of view.options.parsers ?? ['json', 'form', 'multipart']) {
    content[PARSER_MEDIA_TYPES[parser]] = {
      schema: body.schema,
      ...(body.example !== undefined ? { example: body.example } : {}),
    };
  }
  return {
    ...(body.description ? { description: body.description } : {}),
    required: body.required ?? true,
    content,
  };
}

function security(
  view: View,
  schemes: Map<string, ApiKeySecurityScheme>,
): Record<string, string[]>[] | undefined {
  const authentication = view.options.authentication ?? [];
  const permissions = view.options.permissions ?? [];
  // No authenticator: the operation needs no credentials, which `[]` says explicitly.
  if (authentication.length === 0) return [];
  const scopes = requiredScopes(permissions);
  const names = new Set<string>();
  for (const authenticator of authentication) {
    const described = securitySchemeOf(authenticator);
    if (!described) continue;
    schemes.set(described.name, described.scheme);
    names.add(described.name);
  }
  if (names.size === 0) return undefined;
  const requirements: Record<string, string[]>[] = [...names].map((name) => ({ [name]: scopes }));
  // With only AllowAny (or no permission), credentials are optional: `{}` says so.
  const anonymousAllowed = permissions.every((permission) => permission === AllowAny);
  return anonymousAllowed ? [...requirements, {}] : requirements;
}

/** One method of one route, as `operation` describes it. */
interface RouteMethod {
  readonly view: View;
  readonly method: HandlerMethod;
  /** The OpenAPI path (`/tokens/{id}/`) and the names of its parameters. */
  readonly path: string;
  readonly pathParameters: readonly string[];
  /** The security schemes met so far; the view's are added. */
  readonly schemes: Map<string, ApiKeySecurityScheme>;
}

function operation({
  view,
  method,
  path,
  pathParameters,
  schemes,
}: RouteMethod): Record<string, unknown> {
  const shape: OperationShape = view.options.operations?.[method] ?? {};
  const operationParameters = parameters(pathParameters, shape);
  const body = requestBody(view, shape);
  const requirements = security(view, schemes);
  const description = shape.description ?? view.options.description;
  return {
    operationId: shape.operationId ?? defaultOperationId(path, method),
    summary: shape.summary ?? view.options.name ?? 'View',
    ...(description ? { description } : {}),
    tags: [...(shape.tags ?? [defaultTag(path)])],
    ...(operationParameters.length > 0 ? { parameters: operationParameters } : {}),
    ...(body ? { requestBody: body } : {}),
    ...(requirements ? { security: requirements } : {}),
    responses: responses(view, shape),
  };
}

/**
 * The OpenAPI 3.1 document of mounted views: every method a view answers (HEAD and OPTIONS
 * left out, as drf-spectacular does) with its id, body in each media type the view parses, its
 * own responses and DRF's refusals, and the token security scheme with the scopes `HasScope`
 * requires.
 * @example
 * const document = openApiDocument({
 *   title: 'Builds API',
 *   version: '1.0.0',
 *   routes: [{ path: '/api-token-auth/', view: tessera.views.obtainToken }],
 * });
 */
export function openApiDocument(options: OpenApiDocumentOptions): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  const schemes = new Map<string, ApiKeySecurityScheme>();
  const operationIds = new Set<string>();
  for (const route of options.routes) {
    const { path, parameters: pathParameters } = openApiPath(route.path);
    const item: Record<string, unknown> = {};
    for (const method of HANDLER_METHODS) {
      if (!route.view.options[method]) continue;
      const described = operation({ view: route.view, method, path, pathParameters, schemes });
      const id = described.operationId as string;
      // Client generators name functions after operation ids: a duplicate would shadow one.
      if (operationIds.has(id)) throw new Error(`Two operations have the id ${id}`);
      operationIds.add(id);
      item[method] = described;
    }
    paths[path] = { ...paths[path], ...item };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: options.title,
      version: options.version,
      ...(options.description ? { description: options.description } : {}),
    },
    paths,
    components: {
      schemas: ERROR_SCHEMAS,
      securitySchemes: Object.fromEntries(schemes),
    },
  };
}
