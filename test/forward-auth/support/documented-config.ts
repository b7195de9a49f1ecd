import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// The page is found upwards from here: the benchmarks run a compiled copy of this file.
function pagePath(): string {
  for (let dir = import.meta.dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const path = join(dir, 'docs', 'forward-auth.md');
    if (existsSync(path)) return path;
  }
  throw new Error('docs/forward-auth.md not found above test/forward-auth/support');
}

/**
 * The fenced block of docs/forward-auth.md that follows `<!-- forward-auth: <marker> -->`: the
 * tests run the configuration the page shows, so the two cannot drift apart.
 */
export function documentedBlock(marker: string): string {
  const page = readFileSync(pagePath(), 'utf8');
  const at = page.indexOf(`<!-- forward-auth: ${marker} -->`);
  if (at < 0) throw new Error(`docs/forward-auth.md has no block marked "${marker}"`);
  const match = /```[a-z]*\n([\s\S]*?)\n```/.exec(page.slice(at));
  if (!match?.[1]) throw new Error(`docs/forward-auth.md: no fenced block after "${marker}"`);
  return match[1];
}

/** Where the documented configurations send things; the tests put free ports in their place. */
export interface ProxyAddresses {
  /** The proxy's own port (the page's `listen 80` / `:80`). */
  readonly listenPort: number;
  /** Where `tessera serve` listens (the page's `127.0.0.1:8000`). */
  readonly tesseraPort: number;
  /** Where the backend listens (the page's `127.0.0.1:3000`). */
  readonly backendPort: number;
}

function replaceEvery(text: string, literal: string, replacement: string): string {
  if (!text.includes(literal)) throw new Error(`the documented block has no "${literal}"`);
  return text.replaceAll(literal, replacement);
}

/** The page's nginx configuration with the test's ports, listening on 127.0.0.1 only. */
export function documentedNginxConfig(addresses: ProxyAddresses): string {
  let config = documentedBlock('the nginx configuration the tests run');
  config = replaceEvery(config, '127.0.0.1:8000', `127.0.0.1:${addresses.tesseraPort}`);
  config = replaceEvery(config, '127.0.0.1:3000', `127.0.0.1:${addresses.backendPort}`);
  return replaceEvery(config, 'listen 80;', `listen 127.0.0.1:${addresses.listenPort};`);
}

/** The page's Caddyfile with the test's ports. */
export function documentedCaddyfile(addresses: ProxyAddresses): string {
  let config = documentedBlock('the Caddyfile the tests run');
  config = replaceEvery(config, '127.0.0.1:8000', `127.0.0.1:${addresses.tesseraPort}`);
  config = replaceEvery(config, '127.0.0.1:3000', `127.0.0.1:${addresses.backendPort}`);
  return replaceEvery(config, ':80 {', `http://127.0.0.1:${addresses.listenPort} {`);
}
