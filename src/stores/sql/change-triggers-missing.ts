/**
 * The token cache is off on a store because the triggers that report revoking changes made by
 * other processes are missing (`tessera migrate` could not make them). Reported once, as a
 * configuration problem (the reference server logs it as a warning).
 */
export class ChangeTriggersMissing extends Error {
  /** The missing triggers, by name. */
  readonly triggers: readonly string[];

  constructor(database: string, triggers: readonly string[]) {
    super(
      `the token cache is off: ${database} lacks the triggers that report revocations made by ` +
        `other processes (${triggers.join(', ')}). tessera migrate makes them when its database ` +
        'user has the TRIGGER privilege (and, on MySQL/MariaDB with binary logging, SUPER or ' +
        'log_bin_trust_function_creators=1); grant it and run tessera migrate again. Until then ' +
        'every request reads the database.',
    );
    this.name = 'ChangeTriggersMissing';
    this.triggers = triggers;
  }
}
