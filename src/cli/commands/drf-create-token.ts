import type { Command } from 'commander';
import { DuplicateError } from '../../core/store.js';
import { issueDefaultToken, newToken } from '../../core/tokens/token-issuer.js';
import { CommandError } from '../command-error.js';
import type { CliContext } from '../context.js';
import { runAction } from '../run-action.js';

/**
 * DRF's `drf_create_token [-r|--reset] <username>`, on the user's `default` token. Keys are stored
 * hashed, so an existing token cannot be printed again: without `-r` that is an error.
 */
export function registerDrfCreateToken(program: Command, context: CliContext): void {
  program
    .command('drf_create_token')
    .description('Create DRF Token for a given user')
    .argument('<username>')
    .option('-r, --reset', 'Reset existing User token and create a new one')
    .action(
      runAction(context, async (username: string, options: { reset?: boolean }) => {
        const store = await context.migratedStore();
        const user = await store.getUserByUsername(username);
        if (!user) {
          throw new CommandError(`Cannot create the Token: user ${username} does not exist`);
        }
        let key: string;
        if (options.reset) {
          key = (await issueDefaultToken(store, user.id, context.clock)).key;
        } else {
          const { key: fresh, row } = newToken({
            userId: user.id,
            kind: 'default',
            name: 'default',
            clock: context.clock,
          });
          try {
            await store.createToken(row);
          } catch (error) {
            if (!(error instanceof DuplicateError)) throw error;
            throw new CommandError(
              `User ${username} already has a token, and tokens are stored hashed so it cannot be shown again; use -r to replace it.`,
            );
          }
          key = fresh;
        }
        context.print(`Generated token ${key} for user ${username}`);
      }),
    );
}
