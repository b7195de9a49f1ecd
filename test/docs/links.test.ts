import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { documentationPages, type Page, ROOT, readPage } from './markdown.js';

// The top-level pages a reader reaches from the README are checked too.
const pages = [
  ...documentationPages(),
  ...['SECURITY.md', 'CHANGELOG.md', 'THIRD-PARTY-NOTICES.md'].map((name) => join(ROOT, name)),
].map(readPage);

/** A page a link points into, read once (headings included) for its anchors. */
const linked = new Map<string, Page>(pages.map((page) => [page.path, page]));
function pageAt(path: string): Page {
  let page = linked.get(path);
  if (!page) {
    page = readPage(path);
    linked.set(path, page);
  }
  return page;
}

test('every relative link in README.md, docs/*.md and the top-level pages points to a file that exists and a heading it has', () => {
  const broken: string[] = [];
  for (const page of pages) {
    for (const link of page.links) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(link.target)) continue; // https:, mailto:
      const [file = '', anchor] = link.target.split('#');
      const path = file === '' ? page.path : join(dirname(page.path), decodeURI(file));
      if (!existsSync(path)) {
        broken.push(`${link.origin}: ${link.target} (no ${relative(ROOT, path)})`);
        continue;
      }
      if (anchor !== undefined && path.endsWith('.md') && !pageAt(path).anchors.has(anchor)) {
        broken.push(`${link.origin}: ${link.target} (no heading #${anchor})`);
      }
    }
  }
  assert.deepEqual(broken, []);
});

test('README.md stays a front page: at most 15 KB', () => {
  const { size } = statSync(join(ROOT, 'README.md'));
  assert.ok(size <= 15 * 1024, `README.md is ${size} bytes`);
});
