/** Imports a package by name; injectable so tests can stand in for a missing or broken one. */
export type ModuleLoader = (specifier: string) => Promise<unknown>;

/** Dynamic `import()`: an optional package is read only when something needs it. */
export const importModule: ModuleLoader = (specifier) => import(specifier);

/**
 * An optional peer dependency (a database driver, a Django hasher's package) is needed but
 * missing or unusable. The message names the package to install and never holds a secret.
 */
export class OptionalPackageError extends Error {
  /** The npm package to install. */
  readonly packageName: string;

  constructor(packageName: string, neededFor: string, problem: string, cause?: unknown) {
    super(
      `${neededFor} needs the optional package "${packageName}", which ${problem}. ` +
        `Install it with: npm install ${packageName}`,
      { cause },
    );
    this.name = 'OptionalPackageError';
    this.packageName = packageName;
  }
}

/**
 * Loads `exportName` (a function or class) from an optional package, as a named export or a
 * property of a CommonJS default export (`pg`, `mysql2`, `bcryptjs` are CommonJS), or explains
 * which package to install. `neededFor` says what needs it, e.g. `PostgreSQL`.
 */
export async function loadOptionalExport<T>(
  packageName: string,
  exportName: string,
  neededFor: string,
  loader: ModuleLoader = importModule,
): Promise<T> {
  let loaded: unknown;
  try {
    loaded = await loader(packageName);
  } catch (error) {
    throw new OptionalPackageError(packageName, neededFor, 'could not be loaded', error);
  }
  const found =
    propertyOf(loaded, exportName) ?? propertyOf(propertyOf(loaded, 'default'), exportName);
  if (typeof found !== 'function') {
    throw new OptionalPackageError(packageName, neededFor, `has no "${exportName}" export`);
  }
  return found as T;
}

function propertyOf(value: unknown, key: string): unknown {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) {
    return undefined;
  }
  return (value as Record<string, unknown>)[key];
}
