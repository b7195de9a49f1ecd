import type { Authenticator } from '../auth/authenticator.js';
import { AllowAny, IsAuthenticated, type Permission } from '../auth/permissions.js';
import type { JsonSchema, ResponseShape } from './operation-shape.js';

/** `{"detail": "…"}`: the body of every DRF error but a validation error. */
export const ERROR_SCHEMA_REF = '#/components/schemas/Error';
/** `{"field": ["…"]}`: the body of DRF's validation errors. */
export const VALIDATION_ERROR_SCHEMA_REF = '#/components/schemas/ValidationError';

/** The schemas every document holds, which the error responses point at. */
export const ERROR_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  Error: {
    type: 'object',
    description: "DRF's error body: one human-readable sentence.",
    properties: { detail: { type: 'string' } },
    required: ['detail'],
  },
  ValidationError: {
    type: 'object',
    description:
      "DRF's validation error: each refused field (or `non_field_errors`) with its messages.",
    additionalProperties: { type: 'array', items: { type: 'string' } },
  },
};

const detail = { $ref: ERROR_SCHEMA_REF };

function errorResponse(
  description: string,
  example: string,
  headers?: ResponseShape['headers'],
): ResponseShape {
  return {
    description,
    schema: detail,
    example: { detail: example },
    ...(headers ? { headers } : {}),
  };
}

/** What a view declares that decides which of DRF's refusals its operations can give. */
export interface CheckedView {
  readonly authentication: readonly Authenticator[];
  readonly permissions: readonly Permission[];
  readonly throttled: boolean;
  readonly allow: string;
}

// Permissions that refuse only an anonymous request: with a `WWW-Authenticate` value that is 401.
const NEVER_FORBIDS: ReadonlySet<Permission> = new Set([AllowAny, IsAuthenticated]);

/** The scopes `HasScope` permissions require, in the order the view lists them. */
export function requiredScopes(permissions: readonly Permission[]): string[] {
  return [...new Set(permissions.flatMap((permission) => permission.scopes ?? []))];
}

/**
 * DRF's refusals an operation of `view` can give, in the order of its checks: 401 with
 * `WWW-Authenticate` (403 when the first authenticator has none), 403 from permissions, 406 from
 * content negotiation, 405 for methods outside `Allow`, 429 with `Retry-After` from throttles
 * and tessera's key-guessing limit, 503 when the store does not answer. A body the operation
 * reads adds 400 (parse errors) and 415.
 */
export function drfErrorResponses(
  view: CheckedView,
  readsBody: boolean,
): Record<number, ResponseShape> {
  const responses: Record<number, ResponseShape> = {};
  const authenticates = view.authentication.length > 0;
  const authenticateHeader = view.authentication[0]?.authenticateHeader?.();
  const scopes = requiredScopes(view.permissions);
  const forbids = view.permissions.some((permission) => !NEVER_FORBIDS.has(permission));
  if (readsBody) {
    responses[400] = errorResponse(
      'The body could not be parsed (`parse_error`).',
      'JSON parse error - Expecting value: line 1 column 1 (char 0)',
    );
  }
  const refusesAnonymous = view.permissions.some((permission) => permission !== AllowAny);
  if (authenticates && authenticateHeader) {
    responses[401] = errorResponse(
      'No credentials, or credentials tessera refuses: a missing, unknown, expired or revoked key, or an inactive user.',
      refusesAnonymous ? 'Authentication credentials were not provided.' : 'Invalid token.',
      {
        'WWW-Authenticate': {
          description: 'The authentication scheme to answer with.',
          schema: { type: 'string', example: authenticateHeader },
        },
      },
    );
  }
  if (forbids || (authenticates && !authenticateHeader)) {
    responses[403] = errorResponse(
      scopes.length > 0
        ? `The token lacks a scope the operation needs (\`insufficient_scope\`): ${scopes.join(', ')}.`
        : 'The request is not allowed (`permission_denied`).',
      scopes.length === 1
        ? `This token lacks the scope ${scopes[0]}.`
        : scopes.length > 1
          ? `This token lacks the scopes ${scopes.join(', ')}.`
          : 'You do not have permission to perform this action.',
    );
  }
  responses[405] = errorResponse(
    'A method the view does not answer; `Allow` lists those it does. Given after authentication and permissions, as DRF does.',
    'Method "PATCH" not allowed.',
    {
      Allow: {
        description: 'The methods the view answers.',
        schema: { type: 'string', example: view.allow },
      },
    },
  );
  responses[406] = errorResponse(
    'The `Accept` header names no JSON type: tessera renders `application/json` only.',
    'Could not satisfy the request Accept header.',
  );
  if (readsBody) {
    responses[415] = errorResponse(
      "The body's `Content-Type` is not one the view parses.",
      'Unsupported media type "text/plain" in request.',
    );
  }
  if (authenticates || view.throttled) {
    responses[429] = errorResponse(
      view.throttled
        ? 'Throttled; `Retry-After` says when to try again.'
        : 'Too many failed keys from this address (the key-guessing limit); `Retry-After` says when to try again.',
      'Request was throttled. Expected available in 60 seconds.',
      {
        'Retry-After': {
          description: 'Seconds until a request may succeed.',
          schema: { type: 'integer', minimum: 0, example: 60 },
        },
      },
    );
  }
  if (authenticates) {
    responses[503] = errorResponse(
      'The token store did not answer; the key was neither accepted nor refused.',
      'Service temporarily unavailable.',
    );
  }
  return responses;
}
