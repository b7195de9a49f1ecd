import type { ServedRoute, ThroughputServer } from './throughput-server.js';
import { runWrk, type WrkRun } from './wrk.js';

/** One side of a comparison: a route of a running server. */
export interface LoadVariant {
  readonly label: string;
  readonly server: ThroughputServer;
  /** A key of `server.routes`. */
  readonly route: string;
}

/** Options of `interleavedLoad`. */
export interface InterleavedLoadOptions {
  /** Rounds; each runs every variant once, in turn, the order reversed every other round. */
  readonly rounds: number;
  /** Seconds of each wrk run. */
  readonly seconds: number;
  /** Seconds of one unmeasured run per variant first (JIT, caches, connections). */
  readonly warmupSeconds: number;
  readonly connections: number;
  /** The core wrk is pinned to; servers are on another. */
  readonly loadCore: number;
}

/** Every measured run of one variant, in round order. */
export interface VariantRuns {
  readonly label: string;
  readonly runs: readonly WrkRun[];
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function expectOk(variant: LoadVariant): Promise<void> {
  const route = variant.server.routes[variant.route];
  if (!route) throw new Error(`${variant.label}: the server has no ${variant.route} route`);
  const response = await fetch(new URL(route.path, variant.server.url), {
    method: 'POST',
    headers: route.headers,
  });
  await response.arrayBuffer();
  if (response.status !== 200) {
    throw new Error(`${variant.label}: POST ${route.path} answered ${response.status}, not 200`);
  }
}

/**
 * Loads each variant in turn for `rounds` rounds (A B, B A, A B, …), so drift on a shared
 * machine touches every variant alike; each answer must be a 200 (checked before, and by wrk).
 */
export async function interleavedLoad(
  variants: readonly LoadVariant[],
  options: InterleavedLoadOptions,
): Promise<VariantRuns[]> {
  const run = (variant: LoadVariant, seconds: number) => {
    const route = variant.server.routes[variant.route] as ServedRoute;
    return runWrk(
      {
        url: new URL(route.path, variant.server.url).href,
        method: 'POST',
        headers: route.headers,
      },
      {
        seconds,
        connections: options.connections,
        core: options.loadCore,
        serverPid: variant.server.pid,
      },
    );
  };
  for (const variant of variants) {
    await expectOk(variant);
    await run(variant, options.warmupSeconds);
  }
  const runs = variants.map(() => [] as WrkRun[]);
  const order = variants.map((_, index) => index);
  for (let round = 0; round < options.rounds; round++) {
    // A B, then B A: a drift in machine speed during a round pair touches both alike.
    for (const index of round % 2 === 0 ? order : [...order].reverse()) {
      runs[index]?.push(await run(variants[index] as LoadVariant, options.seconds));
    }
  }
  return variants.map((variant, index) => ({ label: variant.label, runs: runs[index] ?? [] }));
}

/** The runs of the variant labelled `label`; throws when there is none. */
export function runsOf(results: readonly VariantRuns[], label: string): VariantRuns {
  const found = results.find((result) => result.label === label);
  if (!found) throw new Error(`no runs for ${label}`);
  return found;
}

/** The p-th percentile (0–100) of `values`, interpolated between the nearest two. */
export function quantile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const at = (p / 100) * (sorted.length - 1);
  const low = sorted[Math.floor(at)] as number;
  const high = sorted[Math.ceil(at)] as number;
  return low + (high - low) * (at - Math.floor(at));
}

/** Per-round ratios of `a`'s requests per second over `b`'s: median, quartiles, extremes. */
export function pairedRatio(a: VariantRuns, b: VariantRuns) {
  const ratios = a.runs.map((run, index) => run.rps / (b.runs[index]?.rps ?? Number.NaN));
  return {
    median: median(ratios),
    lowerQuartile: quantile(ratios, 25),
    upperQuartile: quantile(ratios, 75),
    min: Math.min(...ratios),
    max: Math.max(...ratios),
    ratios,
  };
}
