import type { Generated } from 'kysely';
import type { TokenKind } from '../../core/tokens/token.js';

/** A datetime as a driver returns it: Django's text on SQLite, a `Date` on PostgreSQL and MySQL. */
export type SqlDateTime = string | Date;

/** A boolean as a driver returns it: 0/1 on SQLite and MySQL, a boolean on PostgreSQL. */
export type SqlBoolean = number | boolean;

/** Django's `auth_user`, column for column. */
export interface AuthUserTable {
  id: Generated<number>;
  password: string;
  last_login: SqlDateTime | null;
  is_superuser: SqlBoolean;
  username: string;
  last_name: string;
  email: string;
  is_staff: SqlBoolean;
  is_active: SqlBoolean;
  date_joined: SqlDateTime;
  first_name: string;
}

/** tessera's tokens: a digest of each key, never the key. */
export interface TesseraTokenTable {
  id: Generated<number>;
  user_id: number;
  kind: TokenKind;
  name: string | null;
  digest: string;
  preview: string;
  /** A JSON list of scope names. */
  scopes: string;
  created: SqlDateTime;
  expires: SqlDateTime | null;
  last_used: SqlDateTime | null;
  sliding_seconds: number | null;
  max_expires: SqlDateTime | null;
}

/** The tables tessera reads and writes, as Kysely sees them. */
export interface Database {
  auth_user: AuthUserTable;
  tessera_token: TesseraTokenTable;
}
