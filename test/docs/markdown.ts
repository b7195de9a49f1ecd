import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The repository's root folder. */
export const ROOT = join(import.meta.dirname, '../..');

/** The pages the docs tests read: README.md and every docs/*.md. */
export function documentationPages(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => join(ROOT, 'docs', name));
  return [join(ROOT, 'README.md'), ...docs];
}

/** A fenced code block of a page. */
export interface CodeBlock {
  /** Where it is, as `docs/frameworks.md:42` (the line of its opening fence). */
  readonly origin: string;
  /** The fence's info string's first word, lower-cased: `ts`, `sh`, `console`, or ``. */
  readonly language: string;
  /** The lines between the fences. */
  readonly code: string;
}

/** A `[text](target)` link or `![alt](target)` image of a page, outside code. */
export interface PageLink {
  readonly origin: string;
  readonly target: string;
}

/** A page split into its prose lines (code blocks blanked) and its code blocks. */
export interface Page {
  readonly path: string;
  readonly name: string;
  readonly blocks: readonly CodeBlock[];
  readonly links: readonly PageLink[];
  /** GitHub's anchors for the page's headings (`#the-reference-server`). */
  readonly anchors: ReadonlySet<string>;
}

/** Reads a Markdown page: its fenced blocks, its links and its headings' anchors. */
export function readPage(path: string): Page {
  const name = relative(ROOT, path);
  const lines = readFileSync(path, 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  const links: PageLink[] = [];
  const anchors = new Set<string>();
  const slugCounts = new Map<string, number>();
  let fence: { marker: string; language: string; start: number; body: string[] } | undefined;
  lines.forEach((line, index) => {
    const opening = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/.exec(line);
    if (fence) {
      if (line.trim().startsWith(fence.marker) && line.trim().replace(/[`~]/g, '') === '') {
        blocks.push({
          origin: `${name}:${fence.start + 1}`,
          language: fence.language,
          code: fence.body.join('\n'),
        });
        fence = undefined;
      } else {
        fence.body.push(line);
      }
      return;
    }
    if (opening) {
      fence = {
        marker: opening[2] as string,
        language: (opening[3] ?? '').toLowerCase(),
        start: index,
        body: [],
      };
      return;
    }
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const slug = githubSlug(heading[1] as string);
      const seen = slugCounts.get(slug) ?? 0;
      anchors.add(seen === 0 ? slug : `${slug}-${seen}`);
      slugCounts.set(slug, seen + 1);
    }
    const prose = line.replace(/`[^`]*`/g, '');
    for (const match of prose.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      links.push({ origin: `${name}:${index + 1}`, target: match[1] as string });
    }
    for (const match of prose.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) {
      anchors.add(match[1] as string);
    }
  });
  if (fence) throw new Error(`${name}:${fence.start + 1}: a code fence is never closed`);
  return { path, name, blocks, links, anchors };
}

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens. */
export function githubSlug(heading: string): string {
  return heading
    .replace(/`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}
