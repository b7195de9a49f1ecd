import type { JsonSchema, ParameterShape, ResponseShape } from '../openapi/operation-shape.js';

/** A key as the API shows it once: `tsr_`, 32 random and 6 checksum base62 characters. */
export const KEY_SCHEMA: JsonSchema = {
  type: 'string',
  pattern: '^tsr_[0-9A-Za-z]{38}$',
  description: 'The key, shown once: send it as `Authorization: Token <key>`.',
};

/** An example key (its checksum is valid; no server issued it). */
export const EXAMPLE_KEY = 'tsr_3kT9wQx2ZbN7pLm4vR8sYc1dFh6jGa5e4FrwUG';

const TIMESTAMP: JsonSchema = {
  type: 'string',
  description: 'ISO 8601 UTC with `Z`; `unreadable` for a stored date tessera cannot read.',
};

/** A token as the API lists it (`describeToken`): never its key or digest. */
export const TOKEN_LISTING_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer', minimum: 1 },
    kind: { type: 'string', enum: ['default', 'login', 'named'] },
    name: { type: ['string', 'null'], description: 'Null for login tokens.' },
    preview: {
      type: 'string',
      description: '`tsr_` and the first 4 random characters of the key.',
    },
    scopes: {
      type: 'array',
      items: { type: 'string' },
      description: '`*` grants every scope.',
    },
    created: TIMESTAMP,
    last_used: { ...TIMESTAMP, type: ['string', 'null'] },
    expires: { ...TIMESTAMP, type: ['string', 'null'], description: 'Null: never expires.' },
  },
  required: ['id', 'kind', 'name', 'preview', 'scopes', 'created', 'last_used', 'expires'],
};

/** A listing with the new key, as creation and rotation answer once. */
export const TOKEN_WITH_KEY_SCHEMA: JsonSchema = {
  ...TOKEN_LISTING_SCHEMA,
  properties: {
    ...(TOKEN_LISTING_SCHEMA.properties as Record<string, JsonSchema>),
    key: KEY_SCHEMA,
  },
  required: [...(TOKEN_LISTING_SCHEMA.required as string[]), 'key'],
};

/** An example listing. */
export const EXAMPLE_TOKEN = {
  id: 7,
  kind: 'named',
  name: 'ci',
  preview: 'tsr_3kT9',
  scopes: ['builds:trigger'],
  created: '2026-01-05T09:30:00.000Z',
  last_used: null,
  expires: '2026-04-05T09:30:00.000Z',
} as const;

/** The `{id}` of the token paths: a positive integer; anything else is 404. */
export const TOKEN_ID_PARAMETER: ParameterShape = {
  name: 'id',
  in: 'path',
  description: "The token's id, from the listing.",
  schema: { type: 'string', pattern: '^[1-9][0-9]{0,15}$' },
  example: '7',
};

/** DRF's 404 for a token that does not exist or belongs to another user. */
export const TOKEN_NOT_FOUND: ResponseShape = {
  description: 'No such token of this user.',
  schema: { $ref: '#/components/schemas/Error' },
  example: { detail: 'Not found.' },
};

/** A 204 answer: done, no body. */
export const NO_CONTENT: ResponseShape = { description: 'Done; no body.' };
