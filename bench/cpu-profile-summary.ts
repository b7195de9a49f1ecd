interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly hitCount?: number;
  readonly children?: readonly number[];
}

/** What `node --cpu-prof` writes (the fields read here). */
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
}

/** Where a profile node's code is, short: `file.js:line name`. */
function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.includes('node_modules/')
    ? url.slice(url.lastIndexOf('node_modules/') + 'node_modules/'.length)
    : url.replace(/^.*\/(src|bench)\//, '$1/');
  return `${file || '(native)'}:${lineNumber + 1} ${functionName || '(anonymous)'}`;
}

/** Self and total shares of the samples, per function, highest self first. */
export function summarizeProfile(
  profile: CpuProfile,
): { name: string; self: number; total: number }[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const samples = profile.samples.length;
  for (const id of profile.samples) {
    const node = byId.get(id);
    if (!node) continue;
    const name = frameName(node);
    self.set(name, (self.get(name) ?? 0) + 1);
    // Each function counts once per sample in `total`, however deep its recursion.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at);
      if (!frame) break;
      const frameKey = frameName(frame);
      if (seen.has(frameKey)) continue;
      seen.add(frameKey);
      total.set(frameKey, (total.get(frameKey) ?? 0) + 1);
    }
  }
  return [...total.keys()]
    .map((name) => ({
      name,
      self: (self.get(name) ?? 0) / samples,
      total: (total.get(name) ?? 0) / samples,
    }))
    .sort((a, b) => b.self - a.self);
}
