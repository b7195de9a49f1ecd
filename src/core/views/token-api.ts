import type { Authenticator } from '../auth/authenticator.js';
import { NotLiveDrfKey } from '../auth/live-drf-key-permission.js';
import { IsAuthenticated } from '../auth/permissions.js';
import {
  FIELD_MESSAGES,
  prohibitedCharacterErrors,
  pythonTypeName,
  readCharField,
} from '../drf-compat/fields.js';
import { NotFound, ValidationError } from '../errors.js';
import type { Request } from '../http/request.js';
import { defineView, type View } from '../http/view.js';
import { readDuration } from '../time/duration.js';
import { HasScope, TOKENS_SCOPE } from '../tokens/scopes.js';
import {
  createNamedToken,
  type NamedTokenInput,
  revokeToken,
  rotateToken,
  type TokenManagementContext,
} from '../tokens/token-management.js';
import { TOKEN_NAME_MAX_LENGTH } from '../tokens/token-name.js';
import { describeToken } from '../tokens/token-representation.js';
import {
  TOKEN_DETAIL_OPERATIONS,
  TOKEN_LIST_OPERATIONS,
  TOKEN_ROTATE_OPERATIONS,
} from './token-api-operations.js';

/** The self-service token API's views, to mount at `/api/tokens/`, `…/<id>/`, `…/<id>/rotate/`. */
export interface TokenApiViews {
  /** GET lists the user's tokens; POST creates a named token (201, with its key, once). */
  readonly list: View;
  /** GET shows one token; DELETE revokes it (204). Another user's token answers 404. */
  readonly detail: View;
  /**
   * POST gives the token a new key (200, with the key); the old key stops working at once. A
   * token may only rotate tokens it could have created (403 otherwise): no wider scopes, no
   * later expiry.
   */
  readonly rotate: View;
}

/**
 * The token API. Every view needs an authenticated token with the `tokens` scope (`*` has it),
 * so a narrow token (say, a CI token with `builds:trigger`) cannot list, mint or delete tokens.
 * @example
 * const api = tokenApiViews({ store, clock, events }, tokenAuthentication);
 * mountView(app, '/api/tokens/', api.list);
 */
export function tokenApiViews(
  context: TokenManagementContext,
  authenticator: Authenticator,
): TokenApiViews {
  const common = {
    authentication: [authenticator],
    // A live DRF key has no `tokens` scope either; it is refused first, to say why.
    permissions: [IsAuthenticated, NotLiveDrfKey, HasScope(TOKENS_SCOPE)],
  };
  return {
    list: defineView({
      ...common,
      name: 'Token List',
      operations: TOKEN_LIST_OPERATIONS,
      get: async (request) => {
        const tokens = await context.store.listTokens({ userId: ownerId(request) });
        return { data: tokens.map(describeToken) };
      },
      post: async (request) => {
        const input = readNamedTokenInput(await request.data());
        const { key, token } = await createNamedToken(
          context,
          ownerId(request),
          input,
          request.auth,
        );
        return { status: 201, data: { ...describeToken(token), key } };
      },
    }),
    detail: defineView({
      ...common,
      name: 'Token Detail',
      operations: TOKEN_DETAIL_OPERATIONS,
      get: async (request) => {
        const token = await context.store.getToken(tokenId(request));
        if (!token || token.userId !== ownerId(request)) throw new NotFound();
        return { data: describeToken(token) };
      },
      delete: async (request) => {
        if (!(await revokeToken(context, tokenId(request), 'revoked', ownerId(request)))) {
          throw new NotFound();
        }
        return { status: 204 };
      },
    }),
    rotate: defineView({
      ...common,
      name: 'Token Rotate',
      operations: TOKEN_ROTATE_OPERATIONS,
      post: async (request) => {
        const rotated = await rotateToken(context, tokenId(request), {
          userId: ownerId(request),
          requester: request.auth,
        });
        if (!rotated) throw new NotFound();
        return { data: { ...describeToken(rotated.token), key: rotated.key } };
      },
    }),
  };
}

function ownerId(request: Request): number {
  // IsAuthenticated ran first, so the user is a stored one.
  return request.user.id as number;
}

// Ids are positive integers; anything else cannot name a token, so it is "not found".
function tokenId(request: Request): number {
  const raw = request.params.id ?? '';
  if (!/^[1-9][0-9]{0,15}$/.test(raw)) throw new NotFound();
  return Number(raw);
}

/** Reads `name`, `expires_in`, `scopes`, `sliding`, `max_age` with DRF's field-error shape. */
export function readNamedTokenInput(data: unknown): NamedTokenInput {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    const got = data === null || data === undefined ? 'NoneType' : pythonTypeName(data);
    throw new ValidationError({
      non_field_errors: [`Invalid data. Expected a dictionary, but got ${got}.`],
    });
  }
  const fields = data as Record<string, unknown>;
  const errors: Record<string, string[]> = {};
  const name = readCharField(fields, 'name', true, TOKEN_NAME_MAX_LENGTH);
  if ('error' in name) errors.name = [...name.errors];
  const expiresIn = readDurationField(fields, 'expires_in', errors);
  const maxAge = readDurationField(fields, 'max_age', errors);
  let scopes: string[] | undefined;
  const rawScopes = fields.scopes;
  if (rawScopes !== undefined && rawScopes !== null) {
    if (!Array.isArray(rawScopes)) {
      errors.scopes = [`Expected a list of items but got type "${pythonTypeName(rawScopes)}".`];
    } else if (!rawScopes.every((scope) => typeof scope === 'string')) {
      errors.scopes = [FIELD_MESSAGES.invalidString];
    } else {
      // DRF's child CharField validators: the messages of the first scope they refuse.
      const refused = (rawScopes as string[])
        .map(prohibitedCharacterErrors)
        .find((messages) => messages.length > 0);
      if (refused) errors.scopes = refused;
      else scopes = rawScopes as string[];
    }
  }
  let sliding = false;
  const rawSliding = fields.sliding;
  if (rawSliding !== undefined && rawSliding !== null) {
    if (rawSliding === true || rawSliding === 'true') sliding = true;
    else if (rawSliding !== false && rawSliding !== 'false') {
      errors.sliding = ['Must be a valid boolean.'];
    }
  }
  if (Object.keys(errors).length > 0 || 'error' in name) throw new ValidationError(errors);
  return {
    name: name.value,
    expiresInSeconds: expiresIn,
    maxAgeSeconds: maxAge,
    sliding,
    ...(scopes ? { scopes } : {}),
  };
}

function readDurationField(
  fields: Record<string, unknown>,
  field: string,
  errors: Record<string, string[]>,
): number | null {
  const raw = fields[field];
  if (raw === undefined || raw === null || raw === '') return null;
  const read = readDuration(typeof raw === 'string' ? raw : '');
  if ('error' in read) {
    errors[field] = [read.error];
    return null;
  }
  return read.seconds;
}
