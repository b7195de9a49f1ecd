import type { OperationShape } from '../openapi/operation-shape.js';
import { TOKEN_NAME_MAX_LENGTH } from '../tokens/token-name.js';
import {
  EXAMPLE_KEY,
  EXAMPLE_TOKEN,
  NO_CONTENT,
  TOKEN_ID_PARAMETER,
  TOKEN_LISTING_SCHEMA,
  TOKEN_NOT_FOUND,
  TOKEN_WITH_KEY_SCHEMA,
} from './token-schemas.js';

const TAGS = ['tokens'];
const VALIDATION_ERROR = { $ref: '#/components/schemas/ValidationError' };
const DURATION = {
  type: ['string', 'null'],
  pattern: '^[0-9]+[smhdw]$',
  description: 'A whole number and one unit of s, m, h, d or w (at most 18250d).',
};

/** The token list: GET lists, POST creates a named token. */
export const TOKEN_LIST_OPERATIONS: Readonly<Record<'get' | 'post', OperationShape>> = {
  get: {
    operationId: 'listTokens',
    summary: "List the user's tokens",
    description: "Every token of the requesting token's user, keys never shown.",
    tags: TAGS,
    responses: {
      200: {
        description: 'The tokens.',
        schema: { type: 'array', items: TOKEN_LISTING_SCHEMA },
        example: [EXAMPLE_TOKEN],
      },
    },
  },
  post: {
    operationId: 'createToken',
    summary: 'Create a named token',
    description:
      'Creates a named token and answers its key, once. It may not have scopes the requesting ' +
      'token lacks nor outlive it; without `expires_in` it expires when the requesting token does.',
    tags: TAGS,
    requestBody: {
      schema: {
        type: 'object',
        properties: {
          name: { type: 'string', minLength: 1, maxLength: TOKEN_NAME_MAX_LENGTH },
          expires_in: { ...DURATION, description: `Lifetime; ${DURATION.description}` },
          scopes: {
            type: 'array',
            items: { type: 'string' },
            description: 'Default: the requesting token’s scopes; never wider than them.',
          },
          sliding: {
            type: 'boolean',
            default: false,
            description: 'Each use moves the expiry to now + `expires_in`, up to `max_age`.',
          },
          max_age: {
            ...DURATION,
            description: `Sliding tokens only: the longest life; ${DURATION.description}`,
          },
        },
        required: ['name'],
      },
      example: { name: 'ci', expires_in: '90d', scopes: ['builds:trigger'] },
    },
    responses: {
      201: {
        description: 'Created; `key` is shown this once.',
        schema: TOKEN_WITH_KEY_SCHEMA,
        example: { ...EXAMPLE_TOKEN, key: EXAMPLE_KEY },
      },
      400: {
        description: 'A refused field (DRF field errors), or a body that could not be parsed.',
        schema: { oneOf: [VALIDATION_ERROR, { $ref: '#/components/schemas/Error' }] },
        example: { name: ['A token with this name already exists.'] },
      },
    },
  },
};

/** One token: GET shows it, DELETE revokes it. */
export const TOKEN_DETAIL_OPERATIONS: Readonly<Record<'get' | 'delete', OperationShape>> = {
  get: {
    operationId: 'getToken',
    summary: 'Show a token',
    tags: TAGS,
    parameters: [TOKEN_ID_PARAMETER],
    responses: {
      200: { description: 'The token.', schema: TOKEN_LISTING_SCHEMA, example: EXAMPLE_TOKEN },
      404: TOKEN_NOT_FOUND,
    },
  },
  delete: {
    operationId: 'revokeToken',
    summary: 'Revoke a token',
    description:
      'Deletes the token at once, on every node. A token with the `tokens` scope may revoke any ' +
      'token of its user, a wider one included.',
    tags: TAGS,
    parameters: [TOKEN_ID_PARAMETER],
    responses: { 204: NO_CONTENT, 404: TOKEN_NOT_FOUND },
  },
};

/** POST gives a token a new key. */
export const TOKEN_ROTATE_OPERATIONS: Readonly<Record<'post', OperationShape>> = {
  post: {
    operationId: 'rotateToken',
    summary: 'Rotate a token’s key',
    description:
      'Gives the token a new key, answered once; the old key stops working at once. Only a ' +
      'token the requesting token could have created may be rotated.',
    tags: TAGS,
    parameters: [TOKEN_ID_PARAMETER],
    responses: {
      200: {
        description: 'The token with its new key, shown this once.',
        schema: TOKEN_WITH_KEY_SCHEMA,
        example: { ...EXAMPLE_TOKEN, key: EXAMPLE_KEY },
      },
      403: {
        description:
          'The requesting token lacks the `tokens` scope, or the token to rotate has scopes it lacks or outlives it.',
        schema: { $ref: '#/components/schemas/Error' },
        example: { detail: 'This token cannot rotate a token with scopes it lacks: deploy.' },
      },
      404: TOKEN_NOT_FOUND,
    },
  },
};
