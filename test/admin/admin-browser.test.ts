import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { PASSWORD, type RunningAdminServer, startAdminServer } from './admin-server.js';

// Debian's chromium (.ci/run installs it); playwright-core never downloads a browser.
const CHROMIUM = '/usr/bin/chromium';

let server: RunningAdminServer;
let browser: Browser;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
  server = await startAdminServer();
  // As root, Chromium refuses to start with its sandbox.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** A new page that records console errors and warnings (a CSP violation is one). */
async function openPage(): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      problems.push(`${message.type()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return { page, problems };
}

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto(new URL('/admin/', server.url).href);
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForLoadState();
}

async function trigger(key: string): Promise<number> {
  const response = await fetch(new URL('/api/build-trigger/', server.url), {
    method: 'POST',
    headers: { authorization: `Token ${key}` },
  });
  return response.status;
}

describe('admin page in Chromium', () => {
  test('staff create a key for a user, use it, reload (gone), revoke it in the page (refused)', async () => {
    const { page, problems } = await openPage();
    await signIn(page, 'staff', PASSWORD);
    await page.getByLabel('User', { exact: true }).fill('ann');
    await page.getByLabel('Name', { exact: true }).fill('deploy');
    await page.getByLabel('Scopes', { exact: true }).fill('');
    await page.getByLabel('Expires in', { exact: true }).fill('1d');
    await page.getByRole('button', { name: 'Create token', exact: true }).click();
    await page.waitForLoadState();
    assert.equal(new URL(page.url()).pathname, '/admin/');
    const key = (await page.getByTestId('new-key').textContent()) ?? '';
    assert.match(key, /^tsr_[0-9A-Za-z]{38}$/);
    assert.ok(!page.url().includes(key));
    assert.equal(await trigger(key), 200);

    await page.reload();
    assert.equal(await page.getByTestId('new-key').count(), 0);

    const row = page.getByRole('row').filter({ hasText: 'deploy' });
    page.once('dialog', (dialog) => {
      assert.equal(dialog.type(), 'confirm');
      void dialog.accept();
    });
    await row.getByRole('button', { name: 'Revoke', exact: true }).click();
    await row.waitFor({ state: 'detached' });
    assert.equal(await trigger(key), 401);
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('a non-staff user and a wrong password are refused', async () => {
    const { page } = await openPage();
    for (const [username, password] of [
      ['ann', PASSWORD],
      ['staff', 'not the password'],
    ]) {
      await signIn(page, username ?? '', password ?? '');
      assert.match(
        (await page.getByRole('alert').textContent()) ?? '',
        /Please enter the correct username and password for a staff account\./,
      );
      assert.equal(await page.getByRole('button', { name: 'Create token' }).count(), 0);
    }
    await page.context().close();
  });

  test('a cross-site form post with the session cookie but no CSRF token is refused', async () => {
    const { page } = await openPage();
    await signIn(page, 'staff', PASSWORD);
    const target = new URL('/admin/create/', server.url).href;
    const evil: Server = createServer((_request, response) => {
      response.setHeader('content-type', 'text/html');
      response.end(
        `<form id="f" method="post" action="${target}"><input name="username" value="ann"><input name="name" value="stolen"></form><script>document.getElementById('f').submit()</script>`,
      );
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = evil.address() as AddressInfo;
      // `localhost` is another site than `127.0.0.1`.
      const posted = page.waitForResponse((response) => response.url() === target);
      await page.goto(`http://localhost:${port}/`);
      const response = await posted;
      assert.equal(response.status(), 403);
      assert.equal(
        (await server.store.listTokens()).some((t) => t.name === 'stolen'),
        false,
      );
    } finally {
      await new Promise((resolve) => evil.close(resolve));
      await page.context().close();
    }
  });

  test('keyboard only: sign in and create a token', async () => {
    const { page, problems } = await openPage();
    await page.goto(new URL('/admin/', server.url).href);
    // The username field has focus on arrival.
    await page.waitForFunction("document.activeElement?.id === 'username'");
    await page.keyboard.type('staff');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForLoadState();
    await page.getByRole('button', { name: 'Create token' }).waitFor();
    // From the page's start: the navigation, sign-out, then the create form's fields in order.
    for (let presses = 0; presses < 10; presses++) {
      if (await page.evaluate("document.activeElement?.id === 'create-user'")) break;
      await page.keyboard.press('Tab');
    }
    assert.equal(await page.evaluate('document.activeElement?.id'), 'create-user');
    await page.keyboard.type('ann');
    await page.keyboard.press('Tab');
    await page.keyboard.type('keyboard');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Create token');
    await page.keyboard.press('Enter');
    await page.waitForLoadState();
    const key = (await page.getByTestId('new-key').textContent()) ?? '';
    assert.equal(await trigger(key), 200);
    assert.deepEqual(problems, []);
    await page.context().close();
  });
});
