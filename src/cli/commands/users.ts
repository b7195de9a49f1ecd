import type { Command } from 'commander';
import { escapeControlCharacters } from '../../core/control-characters.js';
import { describeDate } from '../../core/time/unreadable-date.js';
import type { UserWithPassword } from '../../core/users/user.js';
import { createUser } from '../../core/users/users.js';
import { describeReferences, UserReferenced } from '../../stores/sql/user-referenced.js';
import { DJANGO_CASCADE_TABLES } from '../../stores/sql/user-references.js';
import { CommandError } from '../command-error.js';
import { confirmed } from '../confirm.js';
import type { CliContext } from '../context.js';
import { formatJson, formatTable } from '../format-table.js';
import { terminalPrompter } from '../prompt.js';
import { runAction } from '../run-action.js';

/** `tessera users add|list|activate|deactivate|delete`. */
export function registerUsers(program: Command, context: CliContext): void {
  const users = program
    .command('users')
    .description('Add, list, activate, deactivate or delete users.');

  users
    .command('add')
    .description('Create a user (without --password-stdin the password is unusable).')
    .argument('<username>')
    .option('--email <email>', 'email address', '')
    .option('--staff', 'mark the user as staff (IsAdminUser)', false)
    .option('--superuser', 'mark the user as superuser (and staff)', false)
    .option(
      '--password-stdin',
      "read the password from the first line of standard input (on a terminal: asked for, not echoed); Django's four validators apply",
      false,
    )
    .action(
      runAction(context, async (username: string, options: AddOptions) => {
        const store = await context.migratedStore();
        const password = options.passwordStdin ? await readPassword(context) : null;
        await createUser(store, context.passwords, context.clock, {
          username,
          email: options.email,
          password,
          isStaff: options.staff || options.superuser,
          isSuperuser: options.superuser,
          // Django's validators, with no bypass: Django has none outside createsuperuser.
          validatePassword: true,
        });
        context.print(`User ${username} created.`);
      }),
    );

  users
    .command('list')
    .description('List users (never their password hashes).')
    .option('--json', 'print a JSON array instead of a table', false)
    .action(
      runAction(context, async (options: { json: boolean }) => {
        const store = await context.migratedStore({ readOnly: true });
        const rows = (await store.listUsers()).map((user) => ({
          id: user.id,
          username: user.username,
          email: user.email,
          is_active: user.isActive,
          is_staff: user.isStaff,
          is_superuser: user.isSuperuser,
          date_joined: describeDate(user.dateJoined),
          last_login: user.lastLogin === null ? null : describeDate(user.lastLogin),
        }));
        if (options.json) context.print(formatJson(rows));
        else context.print(formatTable(rows));
      }),
    );

  for (const [name, isActive] of [
    ['activate', true],
    ['deactivate', false],
  ] as const) {
    users
      .command(name)
      .description(`${isActive ? 'Allow' : 'Refuse'} the user's tokens and logins.`)
      .argument('<username>')
      .action(
        runAction(context, async (username: string) => {
          const store = await context.migratedStore();
          const user = await existingUser(context, username);
          await store.updateUser(user.id, { isActive });
          context.print(`User ${username} ${name}d.`);
        }),
      );
  }

  users
    .command('delete')
    .description(
      "Delete a user and all of their tokens; refused while other tables (a Django app's) refer to the user.",
    )
    .argument('<username>')
    .option(
      '--noinput, --no-input',
      "ask nothing (on a terminal, delete asks Django's 'yes' question first)",
    )
    .option(
      '--cascade-django',
      `also delete the user's rows in ${DJANGO_CASCADE_TABLES.join(', ')} (Django deletes them ` +
        'with the user too); any other table referring to the user still refuses the deletion',
      false,
    )
    .action(
      runAction(context, async (username: string, options: DeleteOptions) => {
        const store = await context.migratedStore();
        const user = await existingUser(context, username);
        const held = (await store.listTokens({ userId: user.id })).length;
        const django = options.cascadeDjango
          ? `, and their rows in ${DJANGO_CASCADE_TABLES.join(', ')}`
          : '';
        const go = await confirmed(context, {
          interactive: options.input,
          warning:
            `You have requested to delete user ${escapeControlCharacters(username)} and their ${held} token(s)${django}.\n` +
            `This will IRREVERSIBLY delete ${options.cascadeDjango ? 'them all' : 'both'}: a client using one of the tokens is refused at once.\n` +
            'Are you sure you want to do this?',
          cancelled: 'Deletion cancelled.',
        });
        if (!go) return;
        try {
          await store.deleteUser(user.id, { cascadeDjango: options.cascadeDjango });
        } catch (error) {
          // Table names come from the catalogue: a quoted identifier may hold anything.
          if (error instanceof UserReferenced) {
            throw new CommandError(escapeControlCharacters(refusal(username, error)));
          }
          throw error;
        }
        context.print(
          `User ${username} deleted, with their tokens${options.cascadeDjango ? " and their rows in Django's tables" : ''}.`,
        );
      }),
    );
}

interface DeleteOptions {
  input: boolean;
  cascadeDjango: boolean;
}

// Names every referring table with its rows, then what would let the deletion through.
function refusal(username: string, error: UserReferenced): string {
  const said = `user '${username}' is referred to by ${describeReferences(error.references)}; nothing was deleted.`;
  const others = error.references.filter((reference) => !reference.django);
  if (others.length === 0) {
    return `${said} Use --cascade-django to delete the user's rows in Django's tables too, as Django's own delete does.`;
  }
  const names = others.map((reference) => reference.table).join(', ');
  return `${said} --cascade-django deletes only from Django's tables, not ${names}: delete or reassign ${others.length === 1 ? 'its' : 'their'} rows first.`;
}

interface AddOptions {
  email: string;
  staff: boolean;
  superuser: boolean;
  passwordStdin: boolean;
}

async function existingUser(context: CliContext, username: string): Promise<UserWithPassword> {
  const user = await (await context.migratedStore()).getUserByUsername(username);
  if (!user) throw new CommandError(`user '${username}' does not exist`);
  return user;
}

// The password is the first line as typed: only the line ending goes, never spaces (Django
// does not trim passwords). On a terminal it is asked for with echo off, as getpass does.
async function readPassword(context: CliContext): Promise<string> {
  const line = process.stdin.isTTY ? await askHidden(context) : await readFirstLine();
  if (line === '') throw new CommandError('--password-stdin needs a password on standard input');
  return line;
}

async function askHidden(context: CliContext): Promise<string> {
  const prompter = terminalPrompter(process.stdin, context.stdout);
  try {
    return await prompter.askHidden('Password: ');
  } finally {
    prompter.close();
  }
}

async function readFirstLine(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += chunk.toString();
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/, 1)[0] ?? '';
}
