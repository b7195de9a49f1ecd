import type { Command } from 'commander';
import { registerChangepassword } from './commands/changepassword.js';
import { registerCreatesuperuser } from './commands/createsuperuser.js';
import { registerDrfCreateToken } from './commands/drf-create-token.js';
import { registerGenerateschema } from './commands/generateschema.js';
import { registerMigrate } from './commands/migrate.js';
import { registerServe } from './commands/serve.js';
import { registerShell } from './commands/shell.js';
import { registerTokens } from './commands/tokens.js';
import { registerUsers } from './commands/users.js';
import { CliContext } from './context.js';
import { packageVersion } from './package-version.js';
import { TesseraCommand } from './tessera-command.js';

/**
 * Builds the `tessera` command with every subcommand registered. Parsing throws commander's
 * `CommanderError` instead of exiting (see `parsingExitStatus`), so the caller sets the status.
 */
export function buildProgram(context: CliContext = new CliContext()): Command {
  const program = new TesseraCommand('tessera')
    .description(
      "Django REST Framework's token authentication for TypeScript APIs.\n" +
        'Settings come from the environment (DATABASE_URL, TESSERA_*); see docs/settings.md.',
    )
    .version(packageVersion(), '--version', 'print the version of tessera-auth')
    .addHelpText(
      'after',
      '\nExit status: 0 done; 1 refused or failed (CommandError); 2 a usage error (unknown\n' +
        'command or option, missing argument); 3 the change is saved, but Redis did not\n' +
        "carry its invalidation to other nodes' token caches (see the warning on stderr).",
    )
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
    })
    // Set before the subcommands are added, which inherit it.
    .exitOverride();
  registerMigrate(program, context);
  registerCreatesuperuser(program, context);
  registerChangepassword(program, context);
  registerDrfCreateToken(program, context);
  registerUsers(program, context);
  registerTokens(program, context);
  registerShell(program, context);
  registerServe(program, context);
  registerGenerateschema(program, context);
  return program;
}
