/**
 * The database lacks some of tessera's migrations: thrown by a store's first use before
 * `store.migrate()` (or `tessera migrate`) has run, naming them, instead of each query failing
 * on a missing table.
 */
export class MigrationsPending extends Error {
  /** The migrations not yet applied, in order. */
  readonly pending: readonly string[];

  constructor(
    pending: readonly string[],
    remedy = 'Call `await store.migrate()` or run `tessera migrate` first.',
  ) {
    super(
      `The database has ${pending.length} unapplied migration(s): ${pending.join(', ')}. ${remedy}`,
    );
    this.name = 'MigrationsPending';
    this.pending = pending;
  }
}
