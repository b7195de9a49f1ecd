/**
 * Writes docs/admin-*.png: the admin page's sign-in, tokens (with a new key shown once) and users
 * pages, in Chromium against a reference server over a throwaway SQLite file. Run with
 * `npm run docs:screenshots`; tests never run it, so they leave the tree unchanged.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { DEFAULT_SETTINGS, type TesseraSettings } from '../src/core/config/settings.js';
import { PasswordHasher } from '../src/core/passwords/index.js';
import { systemClock } from '../src/core/time/clock.js';
import { createUser } from '../src/core/users/users.js';
import { buildServer } from '../src/server/app.js';
import { openSqliteStore } from '../src/stores/sqlite/index.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = new URL('../docs/', import.meta.url);

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  const dir = mkdtempSync(join(tmpdir(), 'tessera-screenshots-'));
  const store = openSqliteStore({ filename: join(dir, 'db.sqlite3') });
  await store.migrate();
  const passwords = new PasswordHasher({ iterations: 1000 });
  const password = 'screenshot password';
  await createUser(store, passwords, systemClock, {
    username: 'admin',
    password,
    isStaff: true,
    isSuperuser: true,
  });
  for (const username of ['ann', 'bob', 'carol']) {
    await createUser(store, passwords, systemClock, { username, password });
  }
  const settings: TesseraSettings = { ...DEFAULT_SETTINGS, passwordIterations: 1000 };
  const app = await buildServer({ store, settings, logger: false, passwords });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await page.goto(new URL('/admin/', url).href);
    await page.screenshot({ path: new URL('admin-sign-in.png', OUT).pathname });
    await page.getByLabel('Username', { exact: true }).fill('admin');
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Create token' }).waitFor();
    for (const [user, name, scopes, expires] of [
      ['ann', 'laptop', '', ''],
      ['bob', 'ci', 'builds', '30d'],
      ['carol', 'deploy', 'builds tokens', '12h'],
    ] as const) {
      await page.getByLabel('User', { exact: true }).fill(user);
      await page.getByLabel('Name', { exact: true }).fill(name);
      await page.getByLabel('Scopes', { exact: true }).fill(scopes);
      await page.getByLabel('Expires in', { exact: true }).fill(expires);
      await page.getByRole('button', { name: 'Create token' }).click();
      await page.getByTestId('new-key').waitFor();
    }
    await page.screenshot({ path: new URL('admin-tokens.png', OUT).pathname, fullPage: true });
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Search users').waitFor();
    await page.screenshot({ path: new URL('admin-users.png', OUT).pathname, fullPage: true });
  } finally {
    await browser.close();
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
console.log('docs/admin-sign-in.png, docs/admin-tokens.png, docs/admin-users.png written');
