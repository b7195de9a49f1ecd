/** Imports a package by name; injectable so tests can stand in for a missing or broken one. */
export type DriverImporter = (packageName: string) => Promise<unknown>;

/** Dynamic `import()`: a SQLite user never loads (or installs) a PostgreSQL or MySQL driver. */
export const importDriver: DriverImporter = (packageName) => import(packageName);

/** A `DATABASE_URL` names a database whose driver, an optional peer dependency, is missing. */
export class DriverNotInstalledError extends Error {
  /** The npm package to install. */
  readonly packageName: string;

  constructor(packageName: string, databaseName: string, problem: string, cause?: unknown) {
    super(
      `${databaseName} needs the optional package "${packageName}", which ${problem}. ` +
        `Install it with: npm install ${packageName}`,
      { cause },
    );
    this.name = 'DriverNotInstalledError';
    this.packageName = packageName;
  }
}

/**
 * Loads `exportName` from a driver package, as a named export or a property of a CommonJS
 * default export (`pg` and `mysql2` are CommonJS), or explains which package to install.
 */
export async function loadDriverExport(
  packageName: string,
  exportName: string,
  databaseName: string,
  importer: DriverImporter = importDriver,
): Promise<unknown> {
  let loaded: unknown;
  try {
    loaded = await importer(packageName);
  } catch (error) {
    throw new DriverNotInstalledError(packageName, databaseName, 'could not be loaded', error);
  }
  const found =
    propertyOf(propertyOf(loaded, 'default'), exportName) ?? propertyOf(loaded, exportName);
  if (found === undefined) {
    throw new DriverNotInstalledError(packageName, databaseName, `has no "${exportName}" export`);
  }
  return found;
}

function propertyOf(value: unknown, key: string): unknown {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) {
    return undefined;
  }
  return (value as Record<string, unknown>)[key];
}
