import { readFileSync } from 'node:fs';

/**
 * The version of the installed tessera-auth package, read from its package.json at run time:
 * this file sits at `src/cli/` in the repository and at `dist/cli/` in the package, two levels
 * below package.json either way, so the version printed is the one installed, never a copy.
 */
export function packageVersion(): string {
  const manifest = JSON.parse(
    readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
  ) as { version: string };
  return manifest.version;
}
