import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { validatePassword } from '../../core/passwords/index.js';
import { revokeUserTokens } from '../../core/tokens/token-management.js';
import { CommandError } from '../command-error.js';
import type { CliContext } from '../context.js';
import { terminalPrompter } from '../prompt.js';
import { runAction } from '../run-action.js';

const MAX_TRIES = 3;

/**
 * Django's `changepassword [username]`: three tries, Django's four default validators (no bypass,
 * as in Django), the current OS user by default.
 */
export function registerChangepassword(program: Command, context: CliContext): void {
  program
    .command('changepassword')
    .description("Change a user's password (asked twice, hidden; Django's four validators apply).")
    .argument('[username]', 'the user; default: the name you are logged in as')
    .option('--revoke-tokens', "also revoke every one of the user's tokens", false)
    .action(
      runAction(
        context,
        async (username: string | undefined, options: { revokeTokens: boolean }) => {
          const name = username ?? userInfo().username;
          const store = await context.migratedStore();
          const user = await store.getUserByUsername(name);
          if (!user) throw new CommandError(`user '${name}' does not exist`);
          context.print(`Changing password for user '${name}'`);
          const prompter = terminalPrompter();
          let password: string | undefined;
          let count = 0;
          try {
            while (password === undefined && count < MAX_TRIES) {
              const first = await prompter.askHidden('Password: ');
              const second = await prompter.askHidden('Password (again): ');
              if (first !== second) {
                context.print('Passwords do not match. Please try again.');
                count++;
                continue;
              }
              // Django validates against the user itself: username, names and email.
              const problems = validatePassword(second, user);
              if (problems.length > 0) {
                context.printError(problems.join('\n'));
                count++;
                continue;
              }
              password = first;
            }
          } finally {
            prompter.close();
          }
          if (password === undefined) {
            throw new CommandError(
              `Aborting password change for user '${name}' after ${count} attempts`,
            );
          }
          await store.updateUser(user.id, { password: await context.passwords.hash(password) });
          context.print(`Password changed successfully for user '${name}'`);
          if (options.revokeTokens) {
            const count = await revokeUserTokens(
              { store, clock: context.clock },
              user.id,
              'password_changed',
            );
            context.print(`Revoked ${count} token(s) of user '${name}'.`);
          }
        },
      ),
    );
}
