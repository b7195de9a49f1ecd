/** Imports a package by name; injectable so tests can stand in for a missing one. */
export type ModuleLoader = (specifier: string) => Promise<unknown>;

/** Dynamic `import()`, so an optional package is read only when a stored hash needs it. */
export const importModule: ModuleLoader = (specifier) => import(specifier);

/** Thrown when a stored hash needs an optional package that is not installed or not usable. */
export class OptionalPackageError extends Error {
  /** The npm package to install. */
  readonly packageName: string;

  constructor(packageName: string, hasherName: string, problem: string, cause?: unknown) {
    super(
      `Checking a Django "${hasherName}" password hash needs the optional package ` +
        `"${packageName}", which ${problem}. Install it with: npm install ${packageName}`,
      { cause },
    );
    this.name = 'OptionalPackageError';
    this.packageName = packageName;
  }
}

/**
 * Loads `functionName` from an optional package, whether it is a named export or a property of
 * a CommonJS default export, and explains which package to install when that fails.
 */
export async function loadOptionalFunction<F extends (...args: never[]) => unknown>(
  packageName: string,
  functionName: string,
  hasherName: string,
  loader: ModuleLoader,
): Promise<F> {
  let loaded: unknown;
  try {
    loaded = await loader(packageName);
  } catch (error) {
    throw new OptionalPackageError(packageName, hasherName, 'could not be loaded', error);
  }
  const found =
    propertyOf(loaded, functionName) ?? propertyOf(propertyOf(loaded, 'default'), functionName);
  if (typeof found !== 'function') {
    throw new OptionalPackageError(packageName, hasherName, `has no ${functionName} function`);
  }
  return found as F;
}

function propertyOf(value: unknown, key: string): unknown {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null)
    return undefined;
  return (value as Record<string, unknown>)[key];
}
