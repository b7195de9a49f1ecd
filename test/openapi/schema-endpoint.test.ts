import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { type RunningReferenceServer, startReferenceServer } from './reference-server.js';

let server: RunningReferenceServer;

before(async () => {
  server = await startReferenceServer();
});

after(async () => {
  await server.close();
});

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(new URL(path, server.url), { headers });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

describe('GET /api/schema/', () => {
  test("answers YAML as DRF's OpenAPIRenderer: application/vnd.oai.openapi", async () => {
    const answer = await get('/api/schema/');
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('content-type'), 'application/vnd.oai.openapi');
    assert.equal(answer.headers.get('allow'), 'GET, HEAD, OPTIONS');
    const document = parse(answer.body);
    assert.equal(document.openapi, '3.1.0');
    assert.ok(document.paths['/api/build-trigger/'].post);
  });

  test('answers JSON with ?format=openapi-json or an Accept asking for it', async () => {
    const byFormat = await get('/api/schema/?format=openapi-json');
    assert.equal(byFormat.status, 200);
    assert.equal(byFormat.headers.get('content-type'), 'application/vnd.oai.openapi+json');
    assert.equal(JSON.parse(byFormat.body).openapi, '3.1.0');
    const byAccept = await get('/api/schema/', { accept: 'application/vnd.oai.openapi+json' });
    assert.equal(byAccept.headers.get('content-type'), 'application/vnd.oai.openapi+json');
    assert.equal(byAccept.body, byFormat.body);
    const asJson = await get('/api/schema/', { accept: 'application/json' });
    assert.equal(asJson.headers.get('content-type'), 'application/vnd.oai.openapi+json');
  });

  test('another ?format= is 404 and an Accept naming neither is 406, as DRF', async () => {
    const format = await get('/api/schema/?format=xml');
    assert.equal(format.status, 404);
    assert.equal(format.body, '{"detail":"Not found."}');
    const accept = await get('/api/schema/', { accept: 'text/html' });
    assert.equal(accept.status, 406);
    assert.equal(accept.body, '{"detail":"Could not satisfy the request Accept header."}');
  });

  test("OPTIONS lists the schema's two renderers, as DRF's schema view", async () => {
    const response = await fetch(new URL('/api/schema/', server.url), { method: 'OPTIONS' });
    assert.equal(response.status, 200);
    const metadata = (await response.json()) as { name: string; renders: string[] };
    assert.equal(metadata.name, 'Schema');
    assert.deepEqual(metadata.renders, [
      'application/vnd.oai.openapi',
      'application/vnd.oai.openapi+json',
    ]);
  });

  test('POST is 405 with Allow', async () => {
    const response = await fetch(new URL('/api/schema/', server.url), { method: 'POST' });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'GET, HEAD, OPTIONS');
    assert.equal(await response.text(), '{"detail":"Method \\"POST\\" not allowed."}');
  });
});

describe('GET /api/docs/', () => {
  test('serves the Swagger UI page under a CSP that allows no inline script', async () => {
    const page = await get('/api/docs/');
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self';/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
    assert.doesNotMatch(page.body, /<script>|<script [^>]*>[^<]/);
    assert.match(page.body, /<script src="swagger-ui-bundle\.js"><\/script>/);
    assert.match(page.body, /<script src="swagger-initializer\.js"><\/script>/);
  });

  test("serves Swagger UI's files from the installed swagger-ui-dist, and 404 for others", async () => {
    const bundle = await get('/api/docs/swagger-ui-bundle.js');
    assert.equal(bundle.status, 200);
    assert.equal(bundle.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.match(bundle.body, /SwaggerUIBundle/);
    const css = await get('/api/docs/swagger-ui.css');
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    const init = await get('/api/docs/swagger-initializer.js');
    assert.match(init.body, /url: "\.\.\/schema\/\?format=openapi-json"/);
    assert.match(init.body, /"Token "/);
    assert.equal((await get('/api/docs/index.html')).status, 404);
    assert.equal((await get('/api/docs/..%2Fpackage.json')).status, 404);
  });
});

describe('TESSERA_SCHEMA=off', () => {
  test('removes the schema and the docs', async () => {
    const off = await startReferenceServer({ schema: false });
    try {
      for (const path of ['/api/schema/', '/api/docs/', '/api/docs/swagger-ui.css']) {
        const response = await fetch(new URL(path, off.url));
        assert.equal(response.status, 404, path);
        await response.arrayBuffer();
      }
      const build = await fetch(new URL('/api/build-trigger/', off.url), { method: 'POST' });
      assert.equal(build.status, 401);
    } finally {
      await off.close();
    }
  });
});
