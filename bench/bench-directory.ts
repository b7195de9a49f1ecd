import { fileURLToPath } from 'node:url';

/**
 * The repository's `bench/` folder, whether this code runs from its TypeScript sources (tsx) or
 * compiled to `bench/.build/bench/` (`npm run bench`).
 */
export function benchDirectory(): string {
  const compiled = import.meta.url.endsWith('.js');
  return fileURLToPath(new URL(compiled ? '../../' : './', import.meta.url));
}
