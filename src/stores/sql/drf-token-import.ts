import { type Kysely, sql } from 'kysely';
import type { Invalidation } from '../../core/invalidation.js';
import type { NewToken } from '../../core/store.js';
import type { DrfTokenHeldBack, DrfTokenImportReport } from '../../core/tokens/drf-token-import.js';
import { keyDigest } from '../../core/tokens/key-format.js';
import { ALL_SCOPES } from '../../core/tokens/token.js';
import { tokenInsertValues } from './rows.js';
import type { Database, SqlBoolean, SqlDateTime } from './schema.js';
import type { SqlCodec, SqlDialectName } from './sql-codec.js';

/**
 * DRF rows (and imported copies) read per query: the import holds one batch of keys in memory at
 * a time, however large `authtoken_token` is, and each statement stays far below every
 * database's limit on bound values (11 per inserted token: 11,000 of SQLite's 32,766).
 */
export const DRF_IMPORT_BATCH_SIZE = 1000;

/** Why a DRF row whose user holds a `default` token tessera issued is left alone. */
export const HELD_BY_TESSERA = 'already has a tessera default token (kept; not replaced)';

/** Why a DRF row whose copy tessera revoked is left alone: importing it again would undo that. */
export const REVOKED_IN_TESSERA = 'its imported copy was revoked in tessera (not imported again)';

/** Why a DRF row whose user is not in `auth_user` is left alone (a database without foreign keys). */
export const NO_SUCH_USER = 'is not in auth_user';

/** Why a DRF row whose key another tessera token already holds is left alone. */
export const KEY_IN_USE = 'has a DRF key another tessera token already holds';

/** DRF's table (`rest_framework.authtoken` migrations 0001-0003) and tessera's marks (0004). */
interface DrfImportDatabase extends Database {
  authtoken_token: { key: string; user_id: number; created: SqlDateTime };
  tessera_drf_import: {
    token_id: number;
    user_id: number;
    digest: string;
    plaintext_deleted: SqlBoolean;
  };
}

/** True when the database has DRF's `authtoken_token` (read before the import's transaction). */
export async function drfTokenTableExists(
  db: Kysely<Database>,
  dialect: SqlDialectName,
): Promise<boolean> {
  const query =
    dialect === 'sqlite'
      ? sql`SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = 'authtoken_token'`
      : dialect === 'mysql'
        ? sql`SELECT 1 AS found FROM information_schema.tables
            WHERE table_schema = DATABASE() AND table_name = 'authtoken_token'`
        : // The search path's table, as an unqualified query would find it.
          sql`SELECT 1 AS found WHERE to_regclass('authtoken_token') IS NOT NULL`;
  const { rows } = await query.execute(db);
  return rows.length > 0;
}

/**
 * Copies every `authtoken_token` row into `tessera_token` as its user's `default` token (the
 * key's digest, scope `*`, DRF's `created`), marking each copy in `tessera_drf_import`. Runs
 * inside the caller's transaction: `invalidate` names every copy it deletes, so token caches
 * everywhere drop it as they drop any revoked token.
 *
 * - A copy whose DRF row is gone is removed, unless tessera deleted that row itself
 *   (`--delete-plaintext`); a copy whose DRF row now holds another key is replaced.
 * - A user holding a `default` token tessera issued keeps it: their DRF row is held back.
 * - A copy tessera revoked (deleted) is not imported again while DRF's row holds the same key.
 * - A row already imported is skipped. With `deletePlaintext`, every row whose key tessera now
 *   holds is deleted from `authtoken_token`.
 */
export async function importDrfTokens(
  database: Kysely<Database>,
  codec: SqlCodec,
  invalidate: (invalidation: Invalidation) => void,
  options: { readonly deletePlaintext: boolean; readonly batchSize?: number },
): Promise<DrfTokenImportReport> {
  const db = database as unknown as Kysely<DrfImportDatabase>;
  const batchSize = options.batchSize ?? DRF_IMPORT_BATCH_SIZE;

  await forgetStaleMarks(db);
  const { removed, changedUsers } = await removeStaleCopies(db, codec, invalidate, batchSize);

  let imported = 0;
  let replaced = 0;
  let alreadyImported = 0;
  let plaintextDeleted = 0;
  const heldBack: DrfTokenHeldBack[] = [];
  const reimported = new Set<number>();
  let afterUserId: number | undefined;
  for (;;) {
    let page = db
      .selectFrom('authtoken_token')
      .leftJoin('auth_user', 'auth_user.id', 'authtoken_token.user_id')
      .select([
        'authtoken_token.key as key',
        'authtoken_token.user_id as user_id',
        'authtoken_token.created as created',
        'auth_user.username as username',
      ])
      .orderBy('authtoken_token.user_id')
      .limit(batchSize);
    if (afterUserId !== undefined) page = page.where('authtoken_token.user_id', '>', afterUserId);
    const rows = await page.execute();
    if (rows.length === 0) break;
    afterUserId = rows.at(-1)?.user_id;

    const userIds = rows.map((row) => row.user_id);
    const digests = rows.map((row) => keyDigest(row.key));
    const defaults = await db
      .selectFrom('tessera_token')
      .leftJoin('tessera_drf_import', 'tessera_drf_import.token_id', 'tessera_token.id')
      .select([
        'tessera_token.user_id as user_id',
        'tessera_token.digest as digest',
        'tessera_drf_import.token_id as marked',
        'tessera_drf_import.plaintext_deleted as plaintext_deleted',
      ])
      .where('tessera_token.kind', '=', 'default')
      .where('tessera_token.user_id', 'in', userIds)
      .execute();
    const defaultOf = new Map(defaults.map((token) => [token.user_id, token]));
    // Marks left by copies tessera revoked (removeStaleCopies kept only those of unchanged keys).
    const revoked = new Set(
      (
        await db
          .selectFrom('tessera_drf_import')
          .leftJoin('tessera_token', 'tessera_token.id', 'tessera_drf_import.token_id')
          .select('tessera_drf_import.digest as digest')
          .where('tessera_token.id', 'is', null)
          .where('tessera_drf_import.user_id', 'in', userIds)
          .execute()
      ).map((mark) => mark.digest),
    );
    const taken = new Set(
      (
        await db
          .selectFrom('tessera_token')
          .select('digest')
          .where('digest', 'in', digests)
          .execute()
      ).map((token) => token.digest),
    );

    const inserts: { readonly userId: number; readonly token: NewToken }[] = [];
    const plaintextKeys: string[] = [];
    const marksNowDeleted: number[] = [];
    const marksNowPresent: number[] = [];
    rows.forEach((row, index) => {
      const digest = digests[index] as string;
      const existing = defaultOf.get(row.user_id);
      const username = row.username ?? '';
      if (existing) {
        if (existing.marked === null || existing.digest !== digest) {
          heldBack.push({ userId: row.user_id, username, reason: HELD_BY_TESSERA });
          return;
        }
        alreadyImported++;
        const wasDeleted = codec.decodeBoolean(existing.plaintext_deleted ?? false);
        if (options.deletePlaintext) {
          plaintextKeys.push(row.key);
          if (!wasDeleted) marksNowDeleted.push(existing.marked);
        } else if (wasDeleted) {
          // The DRF row is back (restored by hand): its deletion would again be a revocation.
          marksNowPresent.push(existing.marked);
        }
        return;
      }
      if (revoked.has(digest)) {
        heldBack.push({ userId: row.user_id, username, reason: REVOKED_IN_TESSERA });
        return;
      }
      if (row.username === null) {
        heldBack.push({ userId: row.user_id, username, reason: NO_SUCH_USER });
        return;
      }
      if (taken.has(digest)) {
        heldBack.push({ userId: row.user_id, username, reason: KEY_IN_USE });
        return;
      }
      taken.add(digest);
      inserts.push({ userId: row.user_id, token: copyOf(row, digest, codec) });
      if (options.deletePlaintext) plaintextKeys.push(row.key);
    });

    if (inserts.length > 0) {
      await insertCopies(db, codec, inserts, options.deletePlaintext);
      imported += inserts.length;
      for (const { userId } of inserts) {
        if (changedUsers.has(userId)) replaced++;
        reimported.add(userId);
      }
    }
    await setPlaintextDeleted(db, codec, marksNowDeleted, true);
    await setPlaintextDeleted(db, codec, marksNowPresent, false);
    if (plaintextKeys.length > 0) {
      const deleted = Number(
        (
          await db
            .deleteFrom('authtoken_token')
            .where('key', 'in', plaintextKeys)
            .executeTakeFirstOrThrow()
        ).numDeletedRows,
      );
      // A row Django deleted meanwhile would leave a copy marked as deleted by tessera that no
      // DRF row backs: fail, and the whole import rolls back.
      if (deleted !== plaintextKeys.length) {
        throw new Error('authtoken_token changed during the import; nothing was changed');
      }
      plaintextDeleted += deleted;
    }
  }

  // A copy whose new DRF key could not be imported (held back) is gone: that is a removal.
  const lost = [...changedUsers].filter((userId) => !reimported.has(userId)).length;
  return {
    imported,
    replaced,
    skipped: alreadyImported + heldBack.length,
    alreadyImported,
    heldBack,
    removed: removed + lost,
    plaintextDeleted,
  };
}

/**
 * Drops the marks of tokens that are no longer copies: tessera rotated them (the new key is
 * tessera's own) or the id now names another token. The mark of a copy tessera deleted (a
 * revocation) stays, as a record that the key was revoked: see removeStaleCopies.
 */
async function forgetStaleMarks(db: Kysely<DrfImportDatabase>): Promise<void> {
  await db
    .deleteFrom('tessera_drf_import')
    .where(({ exists, not, selectFrom }) =>
      exists(
        selectFrom('tessera_token')
          .select('tessera_token.id')
          .whereRef('tessera_token.id', '=', 'tessera_drf_import.token_id')
          .where((eb) =>
            not(
              eb.and([
                eb('tessera_token.user_id', '=', eb.ref('tessera_drf_import.user_id')),
                eb('tessera_token.digest', '=', eb.ref('tessera_drf_import.digest')),
                eb('tessera_token.kind', '=', 'default'),
              ]),
            ),
          ),
      ),
    )
    .execute();
}

/**
 * Deletes every copy whose DRF row is gone (unless tessera deleted it) or holds another key now,
 * before any insert, so a key Django moved to another user is free for that user's copy.
 */
async function removeStaleCopies(
  db: Kysely<DrfImportDatabase>,
  codec: SqlCodec,
  invalidate: (invalidation: Invalidation) => void,
  batchSize: number,
): Promise<{ removed: number; changedUsers: Set<number> }> {
  let removed = 0;
  const changedUsers = new Set<number>();
  let afterTokenId = 0;
  for (;;) {
    const marks = await db
      .selectFrom('tessera_drf_import')
      .leftJoin('tessera_token', 'tessera_token.id', 'tessera_drf_import.token_id')
      .select([
        'tessera_drf_import.token_id as token_id',
        'tessera_drf_import.user_id as user_id',
        'tessera_drf_import.digest as digest',
        'tessera_drf_import.plaintext_deleted as plaintext_deleted',
        'tessera_token.id as live',
      ])
      .where('tessera_drf_import.token_id', '>', afterTokenId)
      .orderBy('tessera_drf_import.token_id')
      .limit(batchSize)
      .execute();
    if (marks.length === 0) break;
    afterTokenId = marks.at(-1)?.token_id ?? afterTokenId;
    const rows = await db
      .selectFrom('authtoken_token')
      .select(['user_id', 'key'])
      .where(
        'user_id',
        'in',
        marks.map((mark) => mark.user_id),
      )
      .execute();
    const drfDigestOf = new Map(rows.map((row) => [row.user_id, keyDigest(row.key)]));
    const stale: number[] = [];
    const forgotten: number[] = [];
    for (const mark of marks) {
      const drfDigest = drfDigestOf.get(mark.user_id);
      if (mark.live === null) {
        // A copy tessera revoked: remembered while DRF still holds that key, so it is not
        // imported again; a DRF row gone or holding a new key ends the record.
        if (drfDigest !== mark.digest) forgotten.push(mark.token_id);
        continue;
      }
      if (drfDigest === undefined) {
        // tessera deleted this DRF row itself: the copy is now the only token, and stays.
        if (codec.decodeBoolean(mark.plaintext_deleted)) continue;
        removed++;
        stale.push(mark.token_id);
      } else if (drfDigest !== mark.digest) {
        changedUsers.add(mark.user_id);
        stale.push(mark.token_id);
      }
    }
    if (forgotten.length > 0) {
      await db.deleteFrom('tessera_drf_import').where('token_id', 'in', forgotten).execute();
    }
    if (stale.length === 0) continue;
    // The same delete as a revocation: the change triggers fire and caches drop the token.
    await db.deleteFrom('tessera_token').where('id', 'in', stale).execute();
    await db.deleteFrom('tessera_drf_import').where('token_id', 'in', stale).execute();
    for (const tokenId of stale) invalidate({ tokenId });
  }
  return { removed, changedUsers };
}

/** The `default` token a DRF row becomes: the digest only, scope `*`, DRF's creation time. */
function copyOf(
  row: { readonly key: string; readonly user_id: number; readonly created: SqlDateTime },
  digest: string,
  codec: SqlCodec,
): NewToken {
  return {
    userId: row.user_id,
    kind: 'default',
    name: 'default',
    digest,
    // A DRF key has no `tsr_` prefix: its first 4 characters, as a tessera preview shows 4.
    preview: row.key.slice(0, 4),
    scopes: [ALL_SCOPES],
    created: codec.decodeDate(row.created),
    expires: null,
    slidingSeconds: null,
    maxExpires: null,
  };
}

/** Inserts one batch of copies in one statement, then their marks. */
async function insertCopies(
  db: Kysely<DrfImportDatabase>,
  codec: SqlCodec,
  inserts: readonly { readonly userId: number; readonly token: NewToken }[],
  plaintextDeleted: boolean,
): Promise<void> {
  await db
    .insertInto('tessera_token')
    .values(inserts.map(({ token }) => tokenInsertValues(token, codec)))
    .execute();
  // Ids read back by digest: MySQL reports only the first id of a multi-row insert.
  const ids = await db
    .selectFrom('tessera_token')
    .select(['id', 'user_id', 'digest'])
    .where(
      'digest',
      'in',
      inserts.map(({ token }) => token.digest),
    )
    .execute();
  await db
    .insertInto('tessera_drf_import')
    .values(
      ids.map((token) => ({
        token_id: token.id,
        user_id: token.user_id,
        digest: token.digest,
        plaintext_deleted: codec.encodeBoolean(plaintextDeleted),
      })),
    )
    .execute();
}

async function setPlaintextDeleted(
  db: Kysely<DrfImportDatabase>,
  codec: SqlCodec,
  tokenIds: readonly number[],
  deleted: boolean,
): Promise<void> {
  if (tokenIds.length === 0) return;
  await db
    .updateTable('tessera_drf_import')
    .set({ plaintext_deleted: codec.encodeBoolean(deleted) })
    .where('token_id', 'in', tokenIds)
    .execute();
}
