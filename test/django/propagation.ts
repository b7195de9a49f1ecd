/** docs/many-nodes.md: a change made by any writer reaches every cache within a second. */
export const BOUND_MS = 1000;

/**
 * Polls `check` until it holds; returns the milliseconds from `since` (a wall-clock time the
 * Django process printed right after its save returned) to the first answer that held. Gives up
 * at five times the bound, so a failure says how late rather than hanging.
 */
export async function msUntil(
  since: number,
  what: string,
  check: () => Promise<boolean>,
): Promise<number> {
  const deadline = since + 5 * BOUND_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${5 * BOUND_MS} ms: ${what}`);
    await new Promise((done) => setTimeout(done, 10));
  }
  return Date.now() - since;
}
