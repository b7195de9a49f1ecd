import { prohibitedCharacterErrors } from '../core/drf-compat/fields.js';
import type { PasswordHasher } from '../core/passwords/index.js';
import { DuplicateError, type Store } from '../core/store.js';
import type { Clock } from '../core/time/clock.js';
import type { Token } from '../core/tokens/token.js';
import { type IssuedToken, issueDefaultToken, newToken } from '../core/tokens/token-issuer.js';
import {
  createNamedToken,
  type NamedTokenInput,
  rotateToken,
} from '../core/tokens/token-management.js';
import type { User } from '../core/users/user.js';
import { type CreateUserInput, createUser } from '../core/users/users.js';
import { CommandError } from './command-error.js';

/** The users API `tessera shell` puts in scope. */
export interface ShellUsers {
  create(input: CreateUserInput): Promise<User>;
  get(username: string): Promise<User | null>;
  list(): Promise<User[]>;
}

/** The tokens API `tessera shell` puts in scope. */
export interface ShellTokens {
  /** DRF's `Token.objects.create(user=user)`: the user's default token; fails if one exists. */
  create(username: string): Promise<IssuedToken>;
  /** Replaces the user's default token (`drf_create_token -r`). */
  reset(username: string): Promise<IssuedToken>;
  /**
   * A named token: `createNamed('alice', { name: 'ci', expiresInSeconds: 86400, scopes: ['x'] })`.
   * The shell is the operator: no requesting token bounds its scopes or lifetime.
   */
  createNamed(username: string, input: NamedTokenInput): Promise<IssuedToken>;
  rotate(id: number): Promise<IssuedToken | null>;
  list(username?: string): Promise<Token[]>;
  delete(id: number): Promise<boolean>;
}

/** Builds the objects the shell exposes, all bound to one open store. */
export function shellApi(
  store: Store,
  passwords: PasswordHasher,
  clock: Clock,
): { users: ShellUsers; tokens: ShellTokens } {
  async function userId(username: string): Promise<number> {
    // DRF's CharField validators: PostgreSQL cannot even compare a NUL, so ask no database.
    const refused = prohibitedCharacterErrors(username);
    if (refused.length > 0) throw new CommandError(`username: ${refused.join(' ')}`);
    const user = await store.getUserByUsername(username);
    if (!user) throw new CommandError(`user '${username}' does not exist`);
    return user.id;
  }
  async function withoutPassword(username: string): Promise<User | null> {
    const user = await store.getUserByUsername(username);
    if (!user) return null;
    const { password: _hash, ...rest } = user;
    return rest;
  }
  return {
    users: {
      // Django's validators, as in every command that sets a password; the operator may pass
      // validatePassword: false, Django's create_user behaviour, knowingly.
      create: (input) => createUser(store, passwords, clock, { validatePassword: true, ...input }),
      get: withoutPassword,
      list: () => store.listUsers(),
    },
    tokens: {
      async create(username) {
        const { key, row } = newToken({
          userId: await userId(username),
          kind: 'default',
          name: 'default',
          clock,
        });
        try {
          return { key, token: await store.createToken(row) };
        } catch (error) {
          if (error instanceof DuplicateError) {
            throw new CommandError(`User ${username} already has a token; use tokens.reset()`);
          }
          throw error;
        }
      },
      reset: async (username) => issueDefaultToken(store, await userId(username), clock),
      createNamed: async (username, input) =>
        createNamedToken({ store, clock }, await userId(username), input, null),
      rotate: (id) => rotateToken({ store, clock }, id, { requester: null }),
      list: async (username) =>
        store.listTokens(username === undefined ? {} : { userId: await userId(username) }),
      delete: (id) => store.deleteToken(id),
    },
  };
}
