import { type Kysely, sql } from 'kysely';
import type { Invalidation, InvalidationSubscriber } from '../../core/invalidation.js';
import type { InvalidationChannel } from '../../core/invalidation-channel.js';
import { InvalidationListenerFailure } from '../invalidation-listener-failure.js';
import { missingChangeTriggers } from './change-triggers.js';
import { ChangeTriggersMissing } from './change-triggers-missing.js';
import type { Database } from './schema.js';

/** Options of the change-log channel (SQLite, MySQL/MariaDB). */
export interface ChangeLogChannelOptions {
  /** What failure reports call the database, e.g. `SQLite`. */
  readonly name: string;
  readonly dialect: 'sqlite' | 'mysql';
  /** Reads the log and the triggers (and prunes, when it may write). */
  readonly db: Kysely<Database>;
  /**
   * A cheap check, run first on every tick, whether another connection wrote since the last
   * call (SQLite's `PRAGMA data_version`); without it every tick reads the log.
   */
  readonly moved?: () => boolean;
  readonly pollMs: number;
  /** False on a read-only store: the log is pruned by processes that may write. */
  readonly prunes?: boolean;
}

/** Changes read per tick; more than this since the last tick empties the cache instead. */
const MOST_CHANGES_PER_TICK = 1000;
/** Rows older than this are pruned: a node that far behind has reported itself down. */
const KEEP_CHANGES_MINUTES = 10;
const PRUNE_EVERY_MS = 60_000;
/** How often a store without its triggers looks again (a later `tessera migrate` makes them). */
const TRIGGER_RECHECK_MS = 30_000;
/**
 * Triggers are made just after the migrations: missing ones are looked for once more after this
 * before the warning, so a store that watched `migrate()` run says nothing.
 */
const TRIGGER_CONFIRM_MS = 1000;

interface ChangeRow {
  readonly id: number | string;
  readonly token_id: number | null;
  readonly user_id: number | null;
}

/**
 * Invalidations from the change log the triggers fill: each subscriber polls it off the request's
 * path (a timer that never keeps the process alive) and drops exactly the tokens and users the
 * new rows name. Up once the log is read and every trigger is there; a missing trigger keeps it
 * down and is reported once (`ChangeTriggersMissing`), a failed read once per outage.
 */
export function changeLogChannel(options: ChangeLogChannelOptions): InvalidationChannel<never> {
  const stops = new Set<() => void>();
  return {
    name: options.name,
    listen(subscriber) {
      const stop = pollChangeLog(options, subscriber);
      stops.add(stop);
      return () => {
        stops.delete(stop);
        stop();
      };
    },
    async close() {
      for (const stop of stops) stop();
      stops.clear();
    },
  };
}

function pollChangeLog(
  options: ChangeLogChannelOptions,
  subscriber: InvalidationSubscriber,
): () => void {
  const { db } = options;
  let stopped = false;
  let busy = false;
  // The newest change seen; undefined until the log was read (again, after a failure).
  let lastId: number | undefined;
  let up = false;
  let failed = false;
  let warnedMissing = false;
  let seenMissing = false;
  let nextTriggerCheck = 0;
  let nextPrune = Date.now() + PRUNE_EVERY_MS;

  const setUp = (value: boolean) => {
    if (value === up) return;
    up = value;
    subscriber.setChannelUp(value);
  };

  const start = async () => {
    if (Date.now() < nextTriggerCheck) return;
    // Before migrate() there is no log (a quiet failure below), and no trigger either.
    await sql`SELECT COUNT(*) AS n FROM tessera_change WHERE id < 0`.execute(db);
    const missing = await missingChangeTriggers(db, options.dialect);
    if (missing.length > 0) {
      nextTriggerCheck = Date.now() + (seenMissing ? TRIGGER_RECHECK_MS : TRIGGER_CONFIRM_MS);
      if (!seenMissing) {
        seenMissing = true;
      } else if (!warnedMissing) {
        warnedMissing = true;
        subscriber.channelFailed?.(new ChangeTriggersMissing(options.name, missing));
      }
      return;
    }
    options.moved?.();
    const { rows } = await sql<{ id: number | string | null }>`
      SELECT MAX(id) AS id FROM tessera_change`.execute(db);
    lastId = Number(rows[0]?.id ?? 0);
    // What changed while nothing was heard cannot be known: after an outage drop everything.
    if (failed) subscriber.invalidate({ all: true });
    failed = false;
    setUp(true);
  };

  const readChanges = async (after: number) => {
    if (options.moved && !options.moved()) return;
    const { rows } = await sql<ChangeRow>`
      SELECT id, token_id, user_id FROM tessera_change WHERE id > ${after}
      ORDER BY id LIMIT ${MOST_CHANGES_PER_TICK + 1}`.execute(db);
    if (rows.length === 0) return;
    if (rows.length > MOST_CHANGES_PER_TICK) {
      const { rows: newest } = await sql<{ id: number | string | null }>`
        SELECT MAX(id) AS id FROM tessera_change`.execute(db);
      lastId = Number(newest[0]?.id ?? after);
      subscriber.invalidate({ all: true });
      return;
    }
    for (const row of rows) {
      const invalidation: Invalidation | null =
        row.token_id !== null
          ? { tokenId: Number(row.token_id) }
          : row.user_id !== null
            ? { userId: Number(row.user_id) }
            : null;
      if (invalidation) subscriber.invalidate(invalidation);
    }
    lastId = Number(rows[rows.length - 1]?.id);
  };

  const prune = async () => {
    if (options.prunes === false || Date.now() < nextPrune) return;
    nextPrune = Date.now() + PRUNE_EVERY_MS;
    const older =
      options.dialect === 'sqlite'
        ? sql`strftime('%Y-%m-%d %H:%M:%f', 'now', ${`-${KEEP_CHANGES_MINUTES} minutes`})`
        : sql`UTC_TIMESTAMP(6) - INTERVAL ${sql.raw(String(KEEP_CHANGES_MINUTES))} MINUTE`;
    // Another node pruning at once, or a busy SQLite file, only delays it to the next round.
    await sql`DELETE FROM tessera_change WHERE changed < ${older}`.execute(db).catch(() => {});
  };

  const tick = async () => {
    if (busy || stopped) return;
    busy = true;
    try {
      if (lastId === undefined) await start();
      else {
        await readChanges(lastId);
        await prune();
      }
    } catch (error) {
      lastId = undefined;
      setUp(false);
      // A store not yet migrated has no log: that is said by its first use, not here.
      if (!failed && !notMigrated(error)) {
        subscriber.channelFailed?.(
          new InvalidationListenerFailure(options.name, messageOf(error), {
            credentialsRefused: false,
            retryInMs: options.pollMs,
          }),
        );
      }
      failed = true;
    } finally {
      busy = false;
    }
  };

  subscriber.setChannelUp(false);
  const timer = setInterval(() => void tick(), options.pollMs);
  timer.unref();
  void tick();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

function notMigrated(error: unknown): boolean {
  return /no such table|doesn't exist|does not exist/i.test(messageOf(error));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
