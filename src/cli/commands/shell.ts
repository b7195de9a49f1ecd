import { createInterface } from 'node:readline';
import { type REPLServer, start } from 'node:repl';
import { PassThrough } from 'node:stream';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { runAction } from '../run-action.js';
import { shellApi } from '../shell-api.js';

/**
 * `tessera shell`: a Node REPL with the database open and `users`, `tokens`, `store` in scope.
 * An evaluated error is printed and the shell goes on, exiting 0 at the end, as a REPL does.
 */
export function registerShell(program: Command, context: CliContext): void {
  program
    .command('shell')
    .description('A Node REPL with the database open. In scope: users, tokens, store, settings.')
    .addHelpText(
      'after',
      "\nDRF's Token.objects.create(user=user) is: (await tokens.create('alice')).key\n" +
        'With input from a pipe, each line runs after the previous one has finished.',
    )
    .action(
      runAction(context, async () => {
        const store = await context.migratedStore();
        const api = shellApi(store, context.passwords, context.clock);
        context.print('users: create({ username, password }), get(name), list()');
        context.print(
          'tokens: create(username), reset(username), createNamed(username, { name, … }), rotate(id), list(username?), delete(id)',
        );
        const piped = !process.stdin.isTTY;
        const input = piped ? new PassThrough() : process.stdin;
        const repl = start({
          prompt: 'tessera> ',
          input,
          output: process.stdout,
          terminal: !piped,
        });
        Object.assign(repl.context, { ...api, store, settings: context.settings });
        const exited = new Promise<void>((resolve) => repl.on('exit', resolve));
        if (piped) feedLineByLine(process.stdin, input as PassThrough, repl);
        await exited;
      }),
    );
}

/**
 * Hands piped lines to the REPL one at a time, each once the previous one has finished (the
 * REPL shows its prompt again after a result, an error, or a `...` continuation), then ends
 * its input. Node's REPL reads a pipe without waiting for a line's `await`, so `await a` and
 * `await b` on two lines would run at once; and it reports a rejected `await` to its domain
 * instead of its evaluation callback, so waiting on callbacks (as this shell once did) waits
 * forever: on SQLite the event loop then empties (exit 13), on PostgreSQL or MariaDB the open
 * pool keeps it alive and the shell hangs.
 */
function feedLineByLine(source: NodeJS.ReadableStream, sink: PassThrough, repl: REPLServer): void {
  const lines = createInterface({ input: source, crlfDelay: Number.POSITIVE_INFINITY });
  let finished: () => void = () => {};
  const showPrompt = repl.displayPrompt.bind(repl);
  repl.displayPrompt = (preserveCursor?: boolean) => {
    showPrompt(preserveCursor);
    finished();
  };
  let exited = false;
  // `.exit` closes the REPL mid-input: stop reading, so the process is not held by stdin.
  repl.on('exit', () => {
    exited = true;
    finished();
    lines.close();
  });
  void (async () => {
    for await (const line of lines) {
      if (exited) break;
      const done = new Promise<void>((resolve) => (finished = resolve));
      sink.write(`${line}\n`);
      await done;
    }
    sink.end();
  })();
}
