import { type REPLEval, type REPLServer, start } from 'node:repl';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { runAction } from '../run-action.js';
import { shellApi } from '../shell-api.js';

/** `tessera shell`: a Node REPL with the database open and `users`, `tokens`, `store` in scope. */
export function registerShell(program: Command, context: CliContext): void {
  program
    .command('shell')
    .description('A Node REPL with the database open. In scope: users, tokens, store, settings.')
    .addHelpText(
      'after',
      "\nDRF's Token.objects.create(user=user) is: (await tokens.create('alice')).key",
    )
    .action(
      runAction(context, async () => {
        const store = await context.migratedStore();
        const api = shellApi(store, context.passwords, context.clock);
        context.print('users: create({ username, password }), get(name), list()');
        context.print(
          'tokens: create(username), reset(username), createNamed(username, { name, … }), rotate(id), list(username?), delete(id)',
        );
        const repl = start({ prompt: 'tessera> ' });
        Object.assign(repl.context, { ...api, store, settings: context.settings });
        // With piped input the REPL exits at end of input while an `await` may still run: wait
        // for every evaluation to finish before the store closes.
        let pending = 0;
        let drained: (() => void) | undefined;
        const evaluate = repl.eval;
        const counted: REPLEval = function (this: REPLServer, code, scope, file, done) {
          pending++;
          evaluate.call(this, code, scope, file, (error, result) => {
            pending--;
            done(error, result);
            if (pending === 0) drained?.();
          });
        };
        Object.defineProperty(repl, 'eval', { value: counted });
        await new Promise<void>((resolve) => repl.on('exit', resolve));
        if (pending > 0) await new Promise<void>((resolve) => (drained = resolve));
      }),
    );
}
