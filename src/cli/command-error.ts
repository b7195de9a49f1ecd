/** A command failed for a reason the user can act on; printed as Django prints it, exit 1. */
export class CommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandError';
  }
}

/** The user interrupted an interactive command (Ctrl-C or end of input). */
export class OperationCancelled extends Error {
  constructor() {
    super('Operation cancelled.');
    this.name = 'OperationCancelled';
  }
}
