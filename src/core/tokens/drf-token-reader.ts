import type { User } from '../users/user.js';
import { DrfTokenTableMissing } from './drf-token-import.js';

/** A row of Django's `authtoken_token`, read live: its user and when Django made the key. */
export interface DrfTokenRow {
  readonly user: User;
  readonly created: Date;
}

/**
 * Reads Django's `authtoken_token` (DRF's plaintext keys) as it is now, for live mode
 * (`drfTokens: 'read'`). Read-only: tessera never writes to that table in live mode.
 */
export interface DrfTokenReader {
  /** The row whose key is exactly `key`, joined with its user; null when there is none. */
  findDrfToken(key: string): Promise<DrfTokenRow | null>;
  /** Whether the database has an `authtoken_token` table (DRF's `authtoken` app migrated). */
  hasDrfTokenTable(): Promise<boolean>;
}

/** The setting that turns live mode on, as its variable and its library setting say it. */
const LIVE_MODE = "TESSERA_DRF_TOKENS=read (settings.drfTokens: 'read')";

/**
 * Live mode is on and the database has no `authtoken_token` table: `tessera serve` stops at start
 * with this message; a running `createTessera` answers live keys 503 and reports it once.
 */
export class DrfTokenTableAbsent extends DrfTokenTableMissing {
  constructor() {
    super();
    this.message =
      `${LIVE_MODE} reads Django's authtoken_token table, and this database has none: add ` +
      "'rest_framework.authtoken' to INSTALLED_APPS and run Django's migrate, or turn live mode off.";
    this.name = 'DrfTokenTableAbsent';
  }
}

/** Live mode is on and the store cannot read Django's tables (it has no `drfTokens()`). */
export function liveModeUnsupported(dialect: string): string {
  return `${LIVE_MODE} needs a SQL store on Django's database (SQLite, PostgreSQL or MySQL); this store (${dialect}) cannot read authtoken_token`;
}
