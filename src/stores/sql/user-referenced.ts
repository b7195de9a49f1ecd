/** One table holding rows that refer to a user, and how many. */
export interface UserReference {
  /** The table, as `schema.table` when it is not in the current schema. */
  readonly table: string;
  readonly rows: number;
  /**
   * One of the Django and DRF tables whose rows Django deletes with the user (`on_delete` is
   * CASCADE), which `deleteUser(id, { cascadeDjango: true })` deletes too.
   */
  readonly django: boolean;
}

/**
 * `deleteUser` refused: other tables hold rows referring to the user, which the database would
 * refuse (or, with deferred foreign keys, fail at commit). Nothing was deleted.
 */
export class UserReferenced extends Error {
  /** Every table with rows referring to the user, by name. */
  readonly references: readonly UserReference[];
  /** Whether Django's own tables were to be cleared (then only other tables refused it). */
  readonly cascadeDjango: boolean;

  constructor(userId: number, references: readonly UserReference[], cascadeDjango: boolean) {
    super(
      `user ${userId} is referred to by ${describeReferences(references)}; nothing was deleted`,
    );
    this.name = 'UserReferenced';
    this.references = references;
    this.cascadeDjango = cascadeDjango;
  }
}

/** `django_admin_log (3 rows), shop_order (1 row)`. */
export function describeReferences(references: readonly UserReference[]): string {
  return references
    .map(({ table, rows }) => `${table} (${rows} ${rows === 1 ? 'row' : 'rows'})`)
    .join(', ');
}
