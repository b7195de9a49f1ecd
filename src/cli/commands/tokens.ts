import type { Command } from 'commander';
import { escapeControlCharacters } from '../../core/control-characters.js';
import { prohibitedCharacterErrors } from '../../core/drf-compat/fields.js';
import { ValidationError } from '../../core/errors.js';
import type { Store } from '../../core/store.js';
import { readDuration } from '../../core/time/duration.js';
import { UNREADABLE } from '../../core/time/unreadable-date.js';
import {
  createNamedToken,
  pruneExpiredTokens,
  revokeToken,
  revokeUserTokens,
  rotateToken,
  type TokenManagementContext,
} from '../../core/tokens/token-management.js';
import { describeToken, type TokenListing } from '../../core/tokens/token-representation.js';
import { CommandError } from '../command-error.js';
import { confirmed } from '../confirm.js';
import type { CliContext } from '../context.js';
import { formatJson, formatTable } from '../format-table.js';
import { runAction } from '../run-action.js';
import { registerTokensImportDrf } from './tokens-import-drf.js';

interface CreateOptions {
  name: string;
  expiresIn?: string;
  scope?: string[];
  sliding: boolean;
  maxAge?: string;
}

/** `tessera tokens create|list|rotate|revoke|import-drf|prune`. */
export function registerTokens(program: Command, context: CliContext): void {
  const tokens = program
    .command('tokens')
    .description("Create, list, rotate, revoke and prune named tokens; import DRF's tokens.");

  tokens
    .command('create')
    .description('Create a named token and print its key (shown this once only).')
    .argument('<username>')
    .requiredOption(
      '--name <name>',
      'a name, unique for the user ("default" and "login" are reserved)',
    )
    .option(
      '--expires-in <duration>',
      'lifetime such as 30d (s, m, h, d, w; at most 18250d, 50 years); default: never',
    )
    .option('--scope <scope...>', 'scopes the token grants (repeatable); default: * (every scope)')
    .option('--sliding', 'each use moves the expiry --expires-in ahead, up to --max-age', false)
    .option(
      '--max-age <duration>',
      'with --sliding: the latest expiry, counted from now (at most 18250d)',
    )
    .action(
      runAction(context, async (username: string, options: CreateOptions) => {
        const { store, management } = await open(context);
        const userId = await existingUserId(store, username);
        // The operator creates: no requesting token, so any scopes and lifetime.
        const { key } = await createNamedToken(
          management,
          userId,
          {
            name: options.name,
            expiresInSeconds: duration('--expires-in', options.expiresIn),
            maxAgeSeconds: duration('--max-age', options.maxAge),
            sliding: options.sliding,
            ...(options.scope ? { scopes: options.scope } : {}),
          },
          null,
        ).catch(rethrowAsCommandError);
        context.print(`Generated token ${key} for user ${username}`);
      }),
    );

  tokens
    .command('list')
    .description(
      'List tokens (never their keys): id, user, kind, name, preview, scopes, dates. Control ' +
        'characters are shown as \\u escapes; a date that cannot be read as "unreadable".',
    )
    .option('--user <username>', "only this user's tokens")
    .option('--json', 'print a JSON array instead of a table', false)
    .action(
      runAction(context, async (options: { user?: string; json: boolean }) => {
        const store = await context.migratedStore({ readOnly: true });
        const userId =
          options.user === undefined ? undefined : await existingUserId(store, options.user);
        const usernames = new Map(
          (await store.listUsers()).map((user) => [user.id, user.username]),
        );
        const rows = (await store.listTokens(userId === undefined ? {} : { userId })).map(
          (token) => ({ ...describeToken(token), user: usernames.get(token.userId) ?? null }),
        );
        for (const row of rows) warnIfUnreadable(context, row);
        if (options.json) {
          context.print(formatJson(rows));
          return;
        }
        context.print(
          formatTable(
            rows.map(({ id, user, kind, name, preview, scopes, created, last_used, expires }) => ({
              id,
              user,
              kind,
              name,
              preview,
              scopes,
              created,
              last_used,
              expires,
            })),
          ),
        );
      }),
    );

  tokens
    .command('rotate')
    .description('Give a token a new key (printed once); the old key stops working at once.')
    .argument('<id>', 'the token id (see tokens list)')
    .action(
      runAction(context, async (id: string) => {
        const { store, management } = await open(context);
        // The operator rotates: no requesting token, so no bounds.
        const rotated = await rotateToken(management, tokenId(id), { requester: null });
        if (!rotated) throw new CommandError(`token ${id} does not exist`);
        const user = await store.getUserById(rotated.token.userId);
        const username = escapeControlCharacters(user?.username ?? '?');
        context.print(`Generated token ${rotated.key} for user ${username}`);
      }),
    );

  tokens
    .command('revoke')
    .description('Delete one token, or every token of a user with --user U --all.')
    .argument('[id]', 'the token id (see tokens list)')
    .option('--user <username>', 'with --all: whose tokens')
    .option('--all', "revoke every token of --user's", false)
    .option(
      '--noinput, --no-input',
      "with --all: ask nothing (on a terminal, --all asks Django's 'yes' question first)",
    )
    .action(
      runAction(
        context,
        async (
          id: string | undefined,
          options: { user?: string; all: boolean; input: boolean },
        ) => {
          const { store, management } = await open(context);
          if (options.all || options.user !== undefined) {
            if (!options.all || options.user === undefined || id !== undefined) {
              throw new CommandError(
                'use either `tokens revoke <id>` or `tokens revoke --user U --all`',
              );
            }
            const userId = await existingUserId(store, options.user);
            const held = (await store.listTokens({ userId })).length;
            const go = await confirmed(context, {
              interactive: options.input,
              warning:
                `You have requested to revoke every token of user ${escapeControlCharacters(options.user)} (${held} token(s)).\n` +
                'This will IRREVERSIBLY delete them: every client that uses one is refused at once.\n' +
                'Are you sure you want to do this?',
              cancelled: 'Revocation cancelled.',
            });
            if (!go) return;
            const count = await revokeUserTokens(management, userId, 'revoked');
            context.print(`Revoked ${count} token(s) of user ${options.user}.`);
            return;
          }
          if (id === undefined) throw new CommandError('give a token id, or --user U --all');
          if (!(await revokeToken(management, tokenId(id), 'revoked'))) {
            throw new CommandError(`token ${id} does not exist`);
          }
          context.print(`Revoked token ${id}.`);
        },
      ),
    );

  registerTokensImportDrf(tokens, context);

  tokens
    .command('prune')
    .description(
      "Delete every expired token and the admin page's expired sessions; print how many.",
    )
    .action(
      runAction(context, async () => {
        const { store, management } = await open(context);
        context.print(`Deleted ${await pruneExpiredTokens(management)} expired token(s).`);
        // The admin page's sessions expire as tokens do and are pruned with them; the line is
        // printed only when there were some, so scripts reading the token line see no change.
        const sessions = await store.admin?.().deleteExpiredSessions(new Date(context.clock.now()));
        if (sessions) context.print(`Deleted ${sessions} expired admin session(s).`);
      }),
    );
}

// A date tessera cannot read (written by hand or by another tool) is shown, not hidden: the
// operator sees the row, learns that an unreadable expiry refuses the token, and can revoke it.
function warnIfUnreadable(context: CliContext, row: TokenListing): void {
  const fields = (['created', 'last_used', 'expires'] as const).filter(
    (field) => row[field] === UNREADABLE,
  );
  if (fields.length === 0) return;
  const refused = fields.includes('expires') ? ' (an unreadable expiry refuses the token)' : '';
  context.printError(
    `warning: token ${row.id} has a date tessera cannot read: ${fields.join(', ')}${refused}; ` +
      `\`tessera tokens revoke ${row.id}\` deletes it`,
  );
}

async function open(
  context: CliContext,
): Promise<{ store: Store; management: TokenManagementContext }> {
  const store = await context.migratedStore();
  return { store, management: { store, clock: context.clock } };
}

async function existingUserId(store: Store, username: string): Promise<number> {
  // DRF's CharField validators: PostgreSQL cannot even compare a NUL, so ask no database.
  const refused = prohibitedCharacterErrors(username);
  if (refused.length > 0) throw new CommandError(`username: ${refused.join(' ')}`);
  const user = await store.getUserByUsername(username);
  if (!user) throw new CommandError(`user '${username}' does not exist`);
  return user.id;
}

function tokenId(raw: string): number {
  if (!/^[1-9][0-9]{0,15}$/.test(raw)) throw new CommandError(`"${raw}" is not a token id`);
  return Number(raw);
}

function duration(flag: string, raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const read = readDuration(raw);
  if ('error' in read) throw new CommandError(`${flag}: ${read.error}`);
  return read.seconds;
}

// Field errors read better on a terminal as "--name: …" than as a JSON shape.
function rethrowAsCommandError(error: unknown): never {
  if (!(error instanceof ValidationError) || typeof error.detail !== 'object') throw error;
  const flags: Record<string, string> = {
    name: '--name',
    expires_in: '--expires-in',
    max_age: '--max-age',
    scopes: '--scope',
  };
  const lines = Object.entries(error.detail as Record<string, readonly string[]>).map(
    ([field, messages]) => `${flags[field] ?? field}: ${messages.join(' ')}`,
  );
  throw new CommandError(lines.join('; '));
}
