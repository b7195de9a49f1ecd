import {
  BARE,
  BEARER_AUTH,
  BETTER_AUTH,
  type ComparisonGroup,
  SHIPPED,
  SHIPPED_LOGGED,
  TESSERA,
} from './throughput.js';

/** What the chart's caption says about the run. */
export interface ChartCaption {
  readonly date: string;
  readonly machine: string;
  readonly method: string;
}

const COLORS: Readonly<Record<string, string>> = {
  [TESSERA]: '#2563eb',
  // `tessera serve` as shipped is tessera too; its access-log twin a lighter blue.
  [SHIPPED]: '#2563eb',
  [SHIPPED_LOGGED]: '#60a5fa',
  [BARE]: '#9ca3af',
  [BEARER_AUTH]: '#d97706',
  [BETTER_AUTH]: '#dc2626',
};

const WIDTH = 820;
const LABEL_WIDTH = 190;
const BAR_LEFT = LABEL_WIDTH + 10;
const BAR_MAX = 440;
const ROW = 22;
const BAR = 15;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function text(x: number, y: number, content: string, attributes = ''): string {
  return `<text x="${x}" y="${y}"${attributes ? ` ${attributes}` : ''}>${escapeXml(content)}</text>`;
}

/**
 * The throughput comparisons as horizontal bars, one group per set of servers: each variant's
 * median requests per second drawn over a light track as long as its group's bare route (the
 * ceiling), with its median ratio to the bare route. Hand-written SVG: no charting dependency.
 */
export function throughputChartSvg(
  groups: readonly ComparisonGroup[],
  caption: ChartCaption,
): string {
  const top = 80;
  const max = Math.max(...groups.flatMap((group) => group.variants.map((variant) => variant.rps)));
  const scale = (rps: number) => (max > 0 ? (rps / max) * BAR_MAX : 0);
  const parts: string[] = [];
  let y = top;
  for (const group of groups) {
    parts.push(text(10, y + 12, group.label, 'font-weight="600"'));
    y += ROW;
    const bare = group.variants.find((variant) => variant.label === BARE)?.rps;
    for (const variant of group.variants) {
      const width = Math.max(1, scale(variant.rps));
      const ceiling = bare === undefined ? 0 : scale(bare);
      const isBare = variant.label === BARE;
      const versusBare =
        isBare || Number.isNaN(variant.versusBare)
          ? ''
          : ` · ${variant.versusBare.toFixed(2)}× bare`;
      const rps = Math.round(variant.rps).toLocaleString('en');
      if (!isBare && ceiling > 0) {
        parts.push(
          `<rect x="${BAR_LEFT}" y="${y}" width="${ceiling.toFixed(1)}" height="${BAR}" rx="2" fill="#e5e7eb"/>`,
        );
      }
      parts.push(
        text(LABEL_WIDTH, y + 12, variant.label, 'text-anchor="end"'),
        `<rect x="${BAR_LEFT}" y="${y}" width="${width.toFixed(1)}" height="${BAR}" rx="2" fill="${COLORS[variant.label] ?? '#6b7280'}"/>`,
        text(
          BAR_LEFT + Math.max(width, ceiling) + 6,
          y + 12,
          `${rps} req/s${versusBare}`,
          'fill="#374151"',
        ),
      );
      y += ROW;
    }
    y += 10;
  }
  const height = y + 24;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    text(
      10,
      22,
      'POST /api/build-trigger/ with a valid key: requests per second',
      'font-size="15" font-weight="600"',
    ),
    text(10, 42, caption.method, 'fill="#4b5563"'),
    text(10, 58, `${caption.machine}; ${caption.date}`, 'fill="#4b5563"'),
    ...parts,
    text(
      10,
      height - 10,
      'Light track: the bare route of the same app (no authentication), the ceiling. Ratios: medians of paired rounds.',
      'fill="#4b5563"',
    ),
    '</svg>',
    '',
  ].join('\n');
}
