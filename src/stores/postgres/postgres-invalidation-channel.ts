import { type Kysely, sql } from 'kysely';
import { loadOptionalExport } from '../../core/config/optional-package.js';
import { type Invalidation, parseInvalidation } from '../../core/invalidation.js';
import type { InvalidationChannel } from '../../core/invalidation-channel.js';
import {
  InvalidationListenerFailure,
  REFUSED_CREDENTIALS_FIRST_RETRY_MS,
  REFUSED_CREDENTIALS_LONGEST_RETRY_MS,
  withoutPassword,
} from '../invalidation-listener-failure.js';
import { CHANGE_TRIGGERS } from '../sql/change-triggers.js';
import { ChangeTriggersMissing } from '../sql/change-triggers-missing.js';
import type { Database } from '../sql/schema.js';

/** The PostgreSQL channel tessera's NOTIFY and LISTEN use. */
export const INVALIDATION_CHANNEL = 'tessera_invalidation';

/** The part of `pg.Client` the listener uses (structural, so `pg` stays optional). */
interface PgListenClient {
  connect(): Promise<void>;
  query(text: string): Promise<unknown>;
  end(): Promise<void>;
  on(
    event: 'notification',
    listener: (message: { channel: string; payload?: string }) => void,
  ): unknown;
  on(event: 'error' | 'end', listener: (error?: Error) => void): unknown;
}

type PgClientConstructor = new (config: Record<string, unknown>) => PgListenClient;

/** Options of the PostgreSQL invalidation channel. */
export interface PostgresInvalidationOptions {
  readonly url: string;
  readonly connectTimeoutMs: number;
  /** How often the listening connection proves it is alive (a silent network cut is noticed). */
  readonly heartbeatMs?: number;
}

// Whether tessera's tables exist, and which triggers they carry: revocations written by anyone
// but tessera (an admin's SQL, a Django app) reach LISTEN only through the change triggers.
const TRIGGER_CHECK = `SELECT to_regclass('tessera_token') IS NOT NULL AS migrated,
  ARRAY(SELECT tgname::text FROM pg_trigger WHERE NOT tgisinternal
        AND tgrelid IN (to_regclass('auth_user'), to_regclass('tessera_token'))) AS triggers`;

const FIRST_RECONNECT_DELAY_MS = 100;
const MAX_RECONNECT_DELAY_MS = 5000;

// PostgreSQL's SQLSTATE class 28, "invalid authorization specification": a wrong password
// (28P01), a role that may not log in or no pg_hba.conf entry (28000).
function credentialsRefused(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('28');
}

/**
 * Invalidations over PostgreSQL: `pg_notify` inside the revoking transaction (delivered only if it
 * commits, to every node, the CLI's included), and a dedicated `LISTEN` connection per subscriber
 * that reports itself down on error, end or a missed heartbeat, and reconnects with backoff. Each
 * failure reaches the subscriber's `channelFailed` as an `InvalidationListenerFailure`; refused
 * credentials back off further (up to 30 s), since retrying cannot fix them.
 */
export function postgresInvalidationChannel(
  options: PostgresInvalidationOptions,
): InvalidationChannel<Kysely<Database>> {
  const heartbeatMs = options.heartbeatMs ?? 5000;
  const listeners = new Set<() => Promise<void>>();
  return {
    async inTransaction(trx: Kysely<Database>, invalidations: readonly Invalidation[]) {
      for (const invalidation of invalidations) {
        await sql`SELECT pg_notify(${INVALIDATION_CHANNEL}, ${JSON.stringify(invalidation)})`.execute(
          trx,
        );
      }
    },
    listen(subscriber) {
      let stopped = false;
      let client: PgListenClient | undefined;
      let heartbeat: NodeJS.Timeout | undefined;
      let retry: NodeJS.Timeout | undefined;
      let delay = FIRST_RECONNECT_DELAY_MS;
      let warnedMissing = false;
      // Triggers are made just after the migrations: a first sighting of missing ones is only
      // told at the next heartbeat, so a listener that watched `migrate()` run says nothing.
      let seenMissing = false;
      // What the last trigger check reported, so a heartbeat repeats nothing.
      let checkedUp: boolean | undefined;

      // Up only once the change triggers are there (a database not migrated yet has none, and
      // tessera's own NOTIFY is all it needs); a missing one is said once and looked for again
      // at each heartbeat, so a later `tessera migrate` with the privilege brings the cache back.
      const checkTriggers = async (listening: PgListenClient) => {
        const { rows } = (await listening.query(TRIGGER_CHECK)) as {
          rows: { migrated: boolean; triggers: string[] }[];
        };
        const { migrated = false, triggers = [] } = rows[0] ?? {};
        const missing = CHANGE_TRIGGERS.filter((name) => !triggers.includes(name));
        if (client !== listening) return;
        if (migrated && missing.length > 0) {
          if (seenMissing && !warnedMissing) {
            warnedMissing = true;
            subscriber.channelFailed?.(new ChangeTriggersMissing('PostgreSQL', missing));
          }
          seenMissing = true;
          if (checkedUp !== false) subscriber.setChannelUp(false);
          checkedUp = false;
        } else {
          if (checkedUp !== true) subscriber.setChannelUp(true);
          checkedUp = true;
        }
      };

      const dropped = (cause: unknown) => {
        if (heartbeat) clearInterval(heartbeat);
        heartbeat = undefined;
        const old = client;
        client = undefined;
        // Ending a connection that already failed can only fail again, with nothing new to say.
        old?.end().catch(() => {});
        checkedUp = undefined;
        subscriber.setChannelUp(false);
        if (stopped || retry) return;
        const refused = credentialsRefused(cause);
        if (refused) {
          delay = Math.min(
            Math.max(delay, REFUSED_CREDENTIALS_FIRST_RETRY_MS),
            REFUSED_CREDENTIALS_LONGEST_RETRY_MS,
          );
        }
        subscriber.channelFailed?.(
          new InvalidationListenerFailure('PostgreSQL', withoutPassword(cause, options.url), {
            credentialsRefused: refused,
            retryInMs: delay,
          }),
        );
        retry = setTimeout(() => {
          retry = undefined;
          void connect();
        }, delay);
        retry.unref();
        delay = Math.min(
          delay * 2,
          refused ? REFUSED_CREDENTIALS_LONGEST_RETRY_MS : MAX_RECONNECT_DELAY_MS,
        );
      };

      const connect = async () => {
        if (stopped) return;
        try {
          const Client = (await loadOptionalExport(
            'pg',
            'Client',
            'PostgreSQL',
          )) as PgClientConstructor;
          const next = new Client({
            connectionString: options.url,
            connectionTimeoutMillis: options.connectTimeoutMs,
            query_timeout: options.connectTimeoutMs,
            keepAlive: true,
            application_name: 'tessera-listen',
          });
          next.on('error', (error) => {
            if (client === next) dropped(error);
          });
          next.on('end', () => {
            if (client === next) dropped(new Error('the connection was closed'));
          });
          next.on('notification', (message) => {
            if (message.channel !== INVALIDATION_CHANNEL || message.payload === undefined) return;
            const invalidation = parseInvalidation(message.payload);
            // Anything unreadable may hide a revocation: drop everything rather than guess.
            subscriber.invalidate(invalidation ?? { all: true });
          });
          client = next;
          await next.connect();
          await next.query(`LISTEN ${INVALIDATION_CHANNEL}`);
          if (stopped) {
            await next.end();
            return;
          }
          delay = FIRST_RECONNECT_DELAY_MS;
          await checkTriggers(next);
          heartbeat = setInterval(() => {
            checkTriggers(next).catch((error: unknown) => {
              if (client === next) dropped(error);
            });
          }, heartbeatMs);
          heartbeat.unref();
        } catch (error) {
          dropped(error);
        }
      };

      const stop = async () => {
        stopped = true;
        if (heartbeat) clearInterval(heartbeat);
        if (retry) clearTimeout(retry);
        const old = client;
        client = undefined;
        await old?.end().catch(() => {});
      };
      listeners.add(stop);
      subscriber.setChannelUp(false);
      void connect();
      return () => {
        listeners.delete(stop);
        void stop();
      };
    },
    async close() {
      await Promise.all([...listeners].map((stop) => stop()));
      listeners.clear();
    },
  };
}
