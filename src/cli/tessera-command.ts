import { Command, type HelpContext } from 'commander';

/**
 * A commander `Command` that answers a command group called with nothing at all (`tessera`,
 * `tessera tokens`) with its help on stdout and exit status 0, as `manage.py` without a
 * subcommand does, rather than commander's help on stderr and status 1. Help after a mistake
 * (`tessera help nope`) stays an error.
 */
export class TesseraCommand extends Command {
  override createCommand(name?: string): TesseraCommand {
    return new TesseraCommand(name);
  }

  override help(context?: HelpContext): never;
  /** @deprecated commander's own overload, kept so the override stays compatible. */
  override help(cb: (str: string) => string): never;
  override help(context?: HelpContext | ((str: string) => string)): never {
    if (typeof context === 'function' || !context?.error) return super.help(context as HelpContext);
    if (this.args.length === 0) return super.help();
    // Commander's only other call here is `help <name>` naming no command: one line, as for
    // any unknown command, rather than the whole help on stderr.
    return this.error(`error: unknown command '${this.args.at(-1)}'`, {
      code: 'commander.unknownCommand',
    });
  }
}
