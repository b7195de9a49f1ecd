import { type ClientAddressResolver, peerAddress } from '../auth/client-address.js';
import { pythonTypeName, readCharField } from '../drf-compat/fields.js';
import { ValidationError } from '../errors.js';
import type { TesseraEvents } from '../events.js';
import { defineView, type View } from '../http/view.js';
import type { OperationShape } from '../openapi/operation-shape.js';
import type { PasswordHasher } from '../passwords/index.js';
import type { TokenStore, UserStore } from '../store.js';
import type { LoginThrottle } from '../throttling/login-throttle.js';
import type { Clock } from '../time/clock.js';
import { issueLoginToken } from '../tokens/token-issuer.js';
import type { User } from '../users/user.js';
import { EXAMPLE_KEY, KEY_SCHEMA } from './token-schemas.js';

/** What obtain-token needs. */
export interface ObtainTokenOptions {
  readonly store: UserStore & TokenStore;
  readonly passwords: PasswordHasher;
  readonly clock: Clock;
  /** Most `login` tokens a user keeps. */
  readonly loginTokenLimit: number;
  /** Lifetime of login tokens in seconds; null (DRF parity) for tokens that never expire. */
  readonly loginTokenLifetimeSeconds?: number | null;
  readonly events?: TesseraEvents;
  /** Told when a password re-hash could not be saved; the login still succeeds. */
  readonly reportError?: (error: unknown) => void;
  /** Limits failed logins (429); none by default, `createTessera` sets one. */
  readonly loginThrottle?: LoginThrottle;
  /** How the client address is found for `loginThrottle`; default the peer address. */
  readonly clientAddress?: ClientAddressResolver;
}

const UNABLE_TO_LOG_IN = 'Unable to log in with provided credentials.';

// DRF's OPTIONS shows the view's description (empty for ObtainAuthToken): the operation has its own.
const OBTAIN_TOKEN_OPERATION: OperationShape = {
  operationId: 'obtainToken',
  summary: 'Log in: exchange a username and password for a key',
  description:
    "DRF's `obtain_auth_token`: each success issues a new `login` token and answers its key, " +
    'once. `expires` appears when login tokens have a lifetime (`TESSERA_LOGIN_TOKEN_LIFETIME`). ' +
    'Failed logins are limited per user and address (429 with `Retry-After`).',
  tags: ['auth'],
  requestBody: {
    schema: {
      type: 'object',
      properties: {
        username: { type: 'string', minLength: 1 },
        password: { type: 'string', minLength: 1, format: 'password' },
      },
      required: ['username', 'password'],
    },
    example: { username: 'alice', password: 'correct horse battery staple' },
  },
  responses: {
    200: {
      description: 'The new key.',
      schema: {
        type: 'object',
        properties: { token: KEY_SCHEMA, expires: { type: 'string', format: 'date-time' } },
        required: ['token'],
      },
      example: { token: EXAMPLE_KEY },
    },
    400: {
      description:
        'Wrong credentials or an inactive user (`non_field_errors`), a missing field, or a body that could not be parsed.',
      schema: {
        oneOf: [
          { $ref: '#/components/schemas/ValidationError' },
          { $ref: '#/components/schemas/Error' },
        ],
      },
      example: { non_field_errors: [UNABLE_TO_LOG_IN] },
    },
    429: {
      description:
        'Too many failed logins for this user or address; `Retry-After` says when to try again.',
      schema: { $ref: '#/components/schemas/Error' },
      example: { detail: 'Request was throttled. Expected available in 60 seconds.' },
      headers: {
        'Retry-After': {
          description: 'Seconds until a login may succeed.',
          schema: { type: 'integer', minimum: 0, example: 60 },
        },
      },
    },
    503: {
      description: 'Too many logins are being checked at once, or the store did not answer.',
      schema: { $ref: '#/components/schemas/Error' },
      example: { detail: 'Service temporarily unavailable.' },
    },
  },
};

/**
 * DRF's `obtain_auth_token`: POST `username` and `password` (form, multipart or JSON), get
 * `{"token": "<key>"}`. Each success issues a new `login` token: keys are stored hashed, so an
 * existing one cannot be returned as DRF does.
 * @example
 * mountView(app, '/api-token-auth/', obtainTokenView({ store, passwords, clock, loginTokenLimit: 10 }));
 */
export function obtainTokenView(options: ObtainTokenOptions): View {
  return defineView({
    name: 'Obtain Auth Token',
    // DRF's ObtainAuthToken keeps no throttle or permission; tessera also reads no Authorization.
    // Its login throttle runs in the handler: it needs the username and counts failures only.
    authentication: [],
    permissions: [],
    parsers: ['form', 'multipart', 'json'],
    fields: {
      username: { type: 'string', required: true, read_only: false, label: 'Username' },
      password: { type: 'string', required: true, read_only: false, label: 'Password' },
      token: { type: 'string', required: false, read_only: true, label: 'Token' },
    },
    operations: { post: OBTAIN_TOKEN_OPERATION },
    post: async (request) => {
      // Under a login flood, refuse before reading the body or the user, a moment later: a 503
      // that costs the event loop almost nothing keeps token-authenticated traffic flowing.
      if (options.passwords.limit.saturated) return options.passwords.limit.refuse();
      const { username, password } = validateCredentials(await request.data());
      const address = (options.clientAddress ?? peerAddress)(request.raw);
      // Before the password is hashed: a refused attempt costs no hash, and an attempt in flight
      // holds its place, so concurrent attempts cannot pass the limits together.
      const attempt = await options.loginThrottle?.reserve(username, address);
      let user: User | null;
      try {
        user = await authenticateUser(options, username, password);
      } catch (error) {
        // Not the credentials' fault (the store or the hasher failed): not a failed login.
        await attempt?.abandoned();
        throw error;
      }
      // A failure counts in the limits; a success never does.
      if (!user) {
        await attempt?.failed();
        throw new ValidationError({ non_field_errors: [UNABLE_TO_LOG_IN] });
      }
      await attempt?.succeeded();
      const now = options.clock.now();
      const lifetime = options.loginTokenLifetimeSeconds ?? null;
      const expires = lifetime === null ? null : new Date(now + lifetime * 1000);
      const issued = await issueLoginToken({
        store: options.store,
        userId: user.id,
        // `created` and `expires` come from the same instant.
        clock: { now: () => now },
        limit: options.loginTokenLimit,
        expires,
        events: options.events,
      });
      // DRF answers `{"token": …}` only; `expires` appears when login tokens have a lifetime.
      return {
        data: expires
          ? { token: issued.key, expires: expires.toISOString() }
          : { token: issued.key },
      };
    },
  });
}

/** DRF's `AuthTokenSerializer` field validation: username trimmed, password kept as sent. */
export function validateCredentials(data: unknown): { username: string; password: string } {
  if (data === null || data === undefined) {
    throw new ValidationError({ non_field_errors: ['No data provided'] });
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ValidationError({
      non_field_errors: [`Invalid data. Expected a dictionary, but got ${pythonTypeName(data)}.`],
    });
  }
  const fields = data as Record<string, unknown>;
  const username = readCharField(fields, 'username', true);
  const password = readCharField(fields, 'password', false);
  const errors: Record<string, string[]> = {};
  if ('error' in username) errors.username = [username.error];
  if ('error' in password) errors.password = [password.error];
  if ('error' in username || 'error' in password) throw new ValidationError(errors);
  return { username: username.value, password: password.value };
}

/**
 * Django's `ModelBackend.authenticate`: exact username lookup, one full password hash whether or
 * not the user exists, and inactive users refused only after their password was checked, so
 * timing tells nothing about which usernames exist or are active.
 */
export async function authenticateUser(
  options: Pick<ObtainTokenOptions, 'store' | 'passwords' | 'reportError'>,
  username: string,
  password: string,
): Promise<User | null> {
  const user = await options.store.getUserByUsername(username);
  if (!user) {
    await options.passwords.checkUnknownUser(password);
    return null;
  }
  const { valid, needsRehash } = await options.passwords.check(password, user.password);
  if (valid && needsRehash) {
    // Django re-hashes on a successful check (new iterations or algorithm). It is not needed
    // for this answer, so it runs after it; a failure only means the next login tries again.
    void rehash(options, user.id, password);
  }
  if (!valid || !user.isActive) return null;
  const { password: _hash, ...withoutPassword } = user;
  return withoutPassword;
}

async function rehash(
  options: Pick<ObtainTokenOptions, 'store' | 'passwords' | 'reportError'>,
  userId: number,
  password: string,
): Promise<void> {
  try {
    await options.store.updateUser(userId, { password: await options.passwords.hash(password) });
  } catch (error) {
    options.reportError?.(error);
  }
}
