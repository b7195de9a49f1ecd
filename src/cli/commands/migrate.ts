import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { runAction } from '../run-action.js';

/** `tessera migrate`: creates or updates the tables; safe to run again. */
export function registerMigrate(program: Command, context: CliContext): void {
  program
    .command('migrate')
    .description('Create or update the database tables (idempotent).')
    .action(
      runAction(context, async () => {
        const store = await context.openStore();
        const applied = await store.migrate();
        context.print('Running migrations:');
        if (applied.length === 0) context.print('  No migrations to apply.');
        for (const name of applied) context.print(`  Applying ${name}... OK`);
      }),
    );
}
