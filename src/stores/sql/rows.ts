import type { Insertable, Selectable } from 'kysely';
import type { NewToken } from '../../core/store.js';
import type { Token } from '../../core/tokens/token.js';
import type { User, UserWithPassword } from '../../core/users/user.js';
import type { AuthUserTable, TesseraTokenTable } from './schema.js';
import { decodeScopes, encodeScopes } from './scopes-json.js';
import type { SqlCodec } from './sql-codec.js';

/** The `auth_user` columns a `User` is made of: all but the password hash. */
export const USER_COLUMNS = [
  'id',
  'username',
  'email',
  'first_name',
  'last_name',
  'is_staff',
  'is_superuser',
  'is_active',
  'last_login',
  'date_joined',
] as const;

/** `USER_COLUMNS` and the password hash, for the few reads that check passwords. */
export const USER_COLUMNS_WITH_PASSWORD = [...USER_COLUMNS, 'password'] as const;

/** The `tessera_token` columns a `Token` is made of: all but the digest. */
export const TOKEN_COLUMNS = [
  'id',
  'user_id',
  'kind',
  'name',
  'preview',
  'scopes',
  'created',
  'expires',
  'last_used',
  'sliding_seconds',
  'max_expires',
] as const;

/** An `auth_user` row without its password. */
export type UserRow = Pick<Selectable<AuthUserTable>, (typeof USER_COLUMNS)[number]>;

/** A `tessera_token` row without its digest. */
export type TokenRow = Pick<Selectable<TesseraTokenTable>, (typeof TOKEN_COLUMNS)[number]>;

/** Makes a `User` of an `auth_user` row. */
export function toUser(row: UserRow, codec: SqlCodec): User {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    isStaff: codec.decodeBoolean(row.is_staff),
    isSuperuser: codec.decodeBoolean(row.is_superuser),
    isActive: codec.decodeBoolean(row.is_active),
    lastLogin: row.last_login === null ? null : codec.decodeDate(row.last_login),
    dateJoined: codec.decodeDate(row.date_joined),
    isAuthenticated: true,
  };
}

/** Makes a `UserWithPassword` of an `auth_user` row read with its password. */
export function toUserWithPassword(
  row: UserRow & { readonly password: string },
  codec: SqlCodec,
): UserWithPassword {
  return { ...toUser(row, codec), password: row.password };
}

/** Makes a `Token` of a `tessera_token` row. */
export function toToken(row: TokenRow, codec: SqlCodec): Token {
  return {
    id: row.id,
    userId: row.user_id,
    kind: row.kind,
    name: row.name,
    preview: row.preview,
    scopes: decodeScopes(row.scopes),
    created: codec.decodeDate(row.created),
    expires: row.expires === null ? null : codec.decodeDate(row.expires),
    lastUsed: row.last_used === null ? null : codec.decodeDate(row.last_used),
    slidingSeconds: row.sliding_seconds,
    maxExpires: row.max_expires === null ? null : codec.decodeDate(row.max_expires),
  };
}

/** The `Token` a just-inserted `NewToken` became, without reading it back. */
export function insertedToken(id: number, token: NewToken): Token {
  return {
    id,
    userId: token.userId,
    kind: token.kind,
    name: token.name,
    preview: token.preview,
    scopes: [...token.scopes],
    created: new Date(token.created),
    expires: copyDate(token.expires),
    lastUsed: null,
    slidingSeconds: token.slidingSeconds,
    maxExpires: copyDate(token.maxExpires),
  };
}

function copyDate(date: Date | null): Date | null {
  return date === null ? null : new Date(date);
}

/** The `tessera_token` row a new token is stored as (no last use yet). */
export function tokenInsertValues(token: NewToken, codec: SqlCodec): Insertable<TesseraTokenTable> {
  return {
    user_id: token.userId,
    kind: token.kind,
    name: token.name,
    digest: token.digest,
    preview: token.preview,
    scopes: encodeScopes(token.scopes),
    created: codec.encodeDate(token.created),
    expires: token.expires === null ? null : codec.encodeDate(token.expires),
    last_used: null,
    sliding_seconds: token.slidingSeconds,
    max_expires: token.maxExpires === null ? null : codec.encodeDate(token.maxExpires),
  };
}
