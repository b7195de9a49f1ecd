/** How `Store.importDrfTokens` runs. */
export interface DrfTokenImportOptions {
  /** Delete the imported rows from `authtoken_token`, in the same transaction. */
  readonly deletePlaintext: boolean;
  /** Do everything, report it, and roll it all back. */
  readonly dryRun: boolean;
}

/**
 * A DRF row left alone: its user holds a `default` token tessera issued (never replaced: that
 * would revoke a live key silently), tessera revoked its copy (importing it again would undo the
 * revocation), or, on a database without foreign keys, its user or key is unusable.
 */
export interface DrfTokenHeldBack {
  readonly userId: number;
  readonly username: string;
  /** Why, in words printed after the user. */
  readonly reason: string;
}

/** What one import did (or, in a dry run, would have done). */
export interface DrfTokenImportReport {
  /** Copies inserted, those replacing a copy whose DRF key changed in Django included. */
  readonly imported: number;
  /** Of `imported`: copies that replaced an older copy of the same user (DRF key changed). */
  readonly replaced: number;
  /** DRF rows left alone: already imported, or listed in `heldBack`. */
  readonly skipped: number;
  /** Of `skipped`: rows whose key is already imported for that user. */
  readonly alreadyImported: number;
  /** Of `skipped`: the rows left alone for a reason the operator may want to act on. */
  readonly heldBack: readonly DrfTokenHeldBack[];
  /** Copies deleted because their DRF row is gone (and tessera did not delete it). */
  readonly removed: number;
  /** Rows deleted from `authtoken_token` (with `deletePlaintext`). */
  readonly plaintextDeleted: number;
}

/** The database has no `authtoken_token` table (DRF's `rest_framework.authtoken` not migrated). */
export class DrfTokenTableMissing extends Error {
  constructor() {
    super("there is no authtoken_token table in this database (DRF's tokens live there)");
    this.name = 'DrfTokenTableMissing';
  }
}
