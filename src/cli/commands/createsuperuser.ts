import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { ValidationError } from '../../core/errors.js';
import { validatePassword } from '../../core/passwords/index.js';
import type { Store } from '../../core/store.js';
import {
  normalizeEmail,
  normalizeUsername,
  validateEmail,
  validateUsername,
} from '../../core/users/usernames.js';
import { createUser } from '../../core/users/users.js';
import { CommandError } from '../command-error.js';
import type { CliContext } from '../context.js';
import { type Prompter, terminalPrompter } from '../prompt.js';
import { runAction, validationMessages } from '../run-action.js';

interface Options {
  username?: string;
  email?: string;
  input: boolean;
  /** False with `--no-validate`: the non-interactive "y" to Django's bypass question. */
  validate: boolean;
}

/**
 * Django's `createsuperuser`: interactive by default (password twice, hidden, checked with
 * Django's four default validators and its bypass question); with `--noinput` values come from
 * `TESSERA_SUPERUSER_USERNAME`, `TESSERA_SUPERUSER_EMAIL` and `TESSERA_SUPERUSER_PASSWORD`, whose
 * password is validated too (Django does not) unless `--no-validate` answers the bypass question.
 */
export function registerCreatesuperuser(program: Command, context: CliContext): void {
  program
    .command('createsuperuser')
    .description('Create a superuser (staff, all permissions) that can obtain tokens.')
    .option('--username <username>', 'the username; asked for when interactive')
    .option('--email <email>', 'the email address; asked for when interactive')
    .option(
      '--noinput, --no-input',
      'ask nothing: read TESSERA_SUPERUSER_USERNAME, _EMAIL and _PASSWORD (no password: unusable)',
    )
    .option(
      '--no-validate',
      "with --noinput: keep a TESSERA_SUPERUSER_PASSWORD that fails Django's validators (the answer y to Django's bypass question)",
    )
    .action(
      runAction(context, async (options: Options) => {
        if (!options.validate && options.input) {
          throw new CommandError(
            '--no-validate applies only with --noinput; interactively, answer the bypass question.',
          );
        }
        const store = await context.migratedStore();
        if (!options.input) {
          await createNonInteractively(context, store, options);
        } else if (!process.stdin.isTTY) {
          // Django refuses to prompt without a terminal rather than read passwords from a pipe.
          context.print(
            'Superuser creation skipped due to not running in a TTY. You can run `tessera createsuperuser` in your project to create one manually.',
          );
          return;
        } else {
          const prompter = terminalPrompter();
          try {
            await createInteractively(context, store, options, prompter);
          } finally {
            prompter.close();
          }
        }
        context.print('Superuser created successfully.');
      }),
    );
}

async function usernameProblem(store: Store, username: string): Promise<string | undefined> {
  if (await store.getUserByUsername(username)) return 'Error: That username is already taken.';
  if (username === '') return 'Username cannot be blank.';
  const errors = validateUsername(username);
  return errors.length > 0 ? errors.join('; ') : undefined;
}

async function createNonInteractively(
  context: CliContext,
  store: Store,
  options: Options,
): Promise<void> {
  const env = process.env;
  const username = options.username ?? env.TESSERA_SUPERUSER_USERNAME;
  if (username === undefined) throw new CommandError('You must use --username with --noinput.');
  const problem = await usernameProblem(store, normalizeUsername(username));
  if (problem) throw new CommandError(problem);
  const email = options.email || env.TESSERA_SUPERUSER_EMAIL;
  if (!email) throw new CommandError('You must use --email with --noinput.');
  const emailErrors = validateEmail(normalizeEmail(email));
  if (emailErrors.length > 0) throw new CommandError(emailErrors.join('; '));
  await createSuperuser(context, store, username, email, env.TESSERA_SUPERUSER_PASSWORD ?? null, {
    bypassPasswordValidation: !options.validate,
  });
}

async function createInteractively(
  context: CliContext,
  store: Store,
  options: Options,
  prompter: Prompter,
): Promise<void> {
  let username: string | undefined;
  if (options.username !== undefined) {
    if (options.username === '') throw new CommandError('Username cannot be blank.');
    const problem = await usernameProblem(store, normalizeUsername(options.username));
    if (problem) context.printError(problem);
    else username = options.username;
  }
  const fallback = await defaultUsername(store);
  while (username === undefined) {
    const hint = fallback ? ` (leave blank to use '${fallback}')` : '';
    let answer = await prompter.ask(`Username${hint}: `);
    if (answer === '' && fallback) answer = fallback;
    const errors = answer === '' ? ['This field cannot be blank.'] : validateUsername(answer);
    if (errors.length > 0) {
      context.printError(`Error: ${errors.join('; ')}`);
      continue;
    }
    const problem = await usernameProblem(store, normalizeUsername(answer));
    if (problem) context.printError(problem);
    else username = answer;
  }

  let email = options.email;
  while (email === undefined) {
    const answer = (await prompter.ask('Email address: ')).trim();
    const errors = validateEmail(normalizeEmail(answer));
    if (errors.length > 0) context.printError(`Error: ${errors.join('; ')}`);
    else email = answer;
  }

  let password: string | undefined;
  let bypassPasswordValidation = false;
  while (password === undefined) {
    const first = await prompter.askHidden('Password: ');
    const second = await prompter.askHidden('Password (again): ');
    if (first !== second) {
      context.printError("Error: Your passwords didn't match.");
      continue;
    }
    if (first.trim() === '') {
      context.printError("Error: Blank passwords aren't allowed.");
      continue;
    }
    // Django validates against the user being made: its username and email as entered.
    const problems = validatePassword(second, { username, email });
    if (problems.length > 0) {
      context.printError(problems.join('\n'));
      const bypass = await prompter.ask(
        'Bypass password validation and create user anyway? [y/N]: ',
      );
      if (bypass.toLowerCase() !== 'y') continue;
      bypassPasswordValidation = true;
    }
    password = first;
  }
  await createSuperuser(context, store, username, email, password, { bypassPasswordValidation });
}

// Django offers the login name of the person at the terminal when it is a valid, free username.
async function defaultUsername(store: Store): Promise<string | undefined> {
  let name: string;
  try {
    name = normalizeUsername(userInfo().username);
  } catch {
    return undefined;
  }
  if (validateUsername(name).length > 0) return undefined;
  return (await store.getUserByUsername(name)) ? undefined : name;
}

async function createSuperuser(
  context: CliContext,
  store: Store,
  username: string,
  email: string,
  password: string | null,
  options: { readonly bypassPasswordValidation: boolean },
): Promise<void> {
  try {
    await createUser(store, context.passwords, context.clock, {
      username,
      email,
      password,
      validatePassword: !options.bypassPasswordValidation,
      isStaff: true,
      isSuperuser: true,
    });
  } catch (error) {
    if (error instanceof ValidationError)
      throw new CommandError(validationMessages(error).join('; '));
    throw error;
  }
}
