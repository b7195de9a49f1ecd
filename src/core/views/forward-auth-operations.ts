import type { HandlerMethod } from '../http/handler-methods.js';
import type { OperationShape, ResponseShape } from '../openapi/operation-shape.js';

/** The identity headers a 200 carries, by name; the view's `IDENTITY_HEADERS` values. */
export interface IdentityHeaderNames {
  readonly userId: string;
  readonly username: string;
  readonly scopes: string;
  readonly tokenId: string;
}

const NO_STORE = {
  'Cache-Control': {
    description: 'Always `no-store`: a verification is about one request.',
    schema: { type: 'string', const: 'no-store' },
  },
};

function refusal(
  description: string,
  detail: string,
  errorHeader: string,
  headers: ResponseShape['headers'] = {},
): ResponseShape {
  return {
    description,
    schema: { $ref: '#/components/schemas/Error' },
    example: { detail },
    headers: {
      ...headers,
      ...NO_STORE,
      [errorHeader]: {
        description:
          'The JSON body again: nginx `auth_request` drops the body, and `error_page` rebuilds the answer from headers.',
        schema: { type: 'string', example: JSON.stringify({ detail }) },
      },
    },
  };
}

/**
 * What every method of forward auth accepts and answers: a proxy may forward the client's own
 * method, so each is verified as a GET (no body read, `Accept` not negotiated, hence no 406).
 */
export function forwardAuthOperations(
  identity: IdentityHeaderNames,
  errorHeader: string,
): Partial<Record<HandlerMethod, OperationShape>> {
  const shape = (method: HandlerMethod): OperationShape => ({
    operationId: method === 'get' ? 'verifyRequest' : `verifyRequest_${method}`,
    summary: 'Verify a request’s token for a reverse proxy',
    description:
      'For nginx `auth_request`, Traefik `forwardAuth` and Caddy `forward_auth` (docs/forward-auth.md): ' +
      'the request’s own `Authorization` is checked, and a 200 tells the proxy who made it. Every ' +
      'method is answered the same way.',
    tags: ['forward-auth'],
    parameters: [
      {
        name: 'scope',
        in: 'query',
        repeated: true,
        description: 'A scope the token must have; repeat it to require several (all of them).',
        schema: { type: 'string' },
        example: ['builds:trigger'],
      },
    ],
    responses: {
      200: {
        description: 'The token is valid (and has every requested scope); no body.',
        headers: {
          ...NO_STORE,
          [identity.userId]: {
            description: "The user's id.",
            schema: { type: 'string', example: '42' },
          },
          [identity.username]: {
            description:
              'The username; bytes outside printable ASCII (and `%`) percent-encoded as UTF-8.',
            schema: { type: 'string', example: 'ann' },
          },
          [identity.scopes]: {
            description: "The token's scopes, separated by spaces.",
            schema: { type: 'string', example: 'builds:trigger' },
          },
          [identity.tokenId]: {
            description: "The token's id.",
            schema: { type: 'string', example: '7' },
          },
        },
      },
      401: refusal(
        'No credentials, or credentials tessera refuses.',
        'Authentication credentials were not provided.',
        errorHeader,
        {
          'WWW-Authenticate': {
            description: 'The authentication scheme to answer with.',
            schema: { type: 'string', example: 'Token' },
          },
        },
      ),
      403: refusal(
        'The token lacks a scope named by `?scope=` (`insufficient_scope`).',
        'This token lacks the scope builds:trigger.',
        errorHeader,
      ),
      405: null,
      406: null,
    },
  });
  return {
    get: shape('get'),
    post: shape('post'),
    put: shape('put'),
    patch: shape('patch'),
    delete: shape('delete'),
  };
}
