/**
 * The default 5xx reporter of adapters whose framework has no logger of its own (Express,
 * Hono and plain Node write unhandled errors to stderr too). The error never holds a key or a
 * password: tessera's own errors carry fixed texts.
 */
export function reportToConsole(error: unknown): void {
  console.error('tessera: view failed', error);
}
