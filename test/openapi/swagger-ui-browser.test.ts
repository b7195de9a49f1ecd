import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { type RunningReferenceServer, startReferenceServer } from './reference-server.js';

// Debian's chromium (.ci/run installs it); playwright-core never downloads a browser.
const CHROMIUM = '/usr/bin/chromium';

let server: RunningReferenceServer;
let browser: Browser;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
  server = await startReferenceServer();
  // As root, Chromium refuses to start with its sandbox.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function obtainKey(): Promise<string> {
  const response = await fetch(new URL('/api-token-auth/', server.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: server.username, password: server.password }),
  });
  assert.equal(response.status, 200);
  return ((await response.json()) as { token: string }).token;
}

describe('Swagger UI at /api/docs/ in Chromium', () => {
  test('loads with no console error, and a key pasted once makes "Try it out" on build-trigger answer 200', async () => {
    const key = await obtainKey();
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') {
        problems.push(`${message.type()}: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`requestfailed: ${request.url()}`));
    const seen: { url: string; authorization: string | undefined }[] = [];
    page.on('request', (request) => {
      seen.push({ url: request.url(), authorization: request.headers().authorization });
    });

    await page.goto(new URL('/api/docs/', server.url).href);
    await page.locator('.swagger-ui .info .title').waitFor();
    assert.match(
      (await page.locator('.swagger-ui .info .title').textContent()) ?? '',
      /tessera reference server/,
    );
    await page.locator('#operations-builds-triggerBuild').waitFor();

    // Authorize once, pasting the key alone: the page puts `Token ` before it.
    await page.locator('.auth-wrapper button.authorize').click();
    await page.locator('.modal-ux input[type="text"]').fill(key);
    await page.locator('.modal-ux .auth-btn-wrapper button.authorize').click();
    await page.locator('.modal-ux button.btn-done').click();

    const operation = page.locator('#operations-builds-triggerBuild');
    await operation.locator('.opblock-summary').first().click();
    await operation.locator('button.try-out__btn').click();
    await operation.locator('button.execute').click();
    const status = operation.locator('.live-responses-table tbody td.response-col_status').first();
    await status.waitFor();
    assert.equal((await status.textContent())?.trim(), '200');

    const call = seen.find((request) => request.url.endsWith('/api/build-trigger/'));
    assert.equal(call?.authorization, `Token ${key}`);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
