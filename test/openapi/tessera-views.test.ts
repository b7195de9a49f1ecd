import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { parse } from 'yaml';
import { DEFAULT_SETTINGS, settingsOwnedBy } from '../../src/core/config/settings.js';
import type { ViewRequest } from '../../src/core/http/request.js';
import { createTessera } from '../../src/core/tessera.js';
import { openSqliteStore } from '../../src/stores/sqlite/index.js';

const store = openSqliteStore({ filename: ':memory:' });
const tessera = createTessera({
  store,
  settings: { ...settingsOwnedBy('library', DEFAULT_SETTINGS), keywords: ['Bearer', 'Token'] },
});

after(async () => {
  await tessera.close();
  await store.close();
});

function get(
  query: Record<string, string> = {},
  headers: Record<string, string> = {},
): ViewRequest {
  return {
    method: 'GET',
    header: (name) => headers[name],
    query: (name) => query[name],
    readBody: async () => new Uint8Array(0),
    remoteAddress: '127.0.0.1',
  };
}

describe('tessera.views.schema and tessera.views.docs, for any adapter', () => {
  test("the schema view describes the app's routes with the tessera's keyword", async () => {
    const view = tessera.views.schema({
      title: 'Builds API',
      version: '1.0.0',
      routes: [
        { path: '/login/', view: tessera.views.obtainToken },
        { path: '/tokens/:id/', view: tessera.views.tokens.detail },
      ],
    });
    const answer = await view.handle(get());
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'application/vnd.oai.openapi');
    const document = parse(answer.body);
    assert.deepEqual(Object.keys(document.paths), ['/login/', '/tokens/{id}/']);
    assert.deepEqual(Object.keys(document.components.securitySchemes), ['bearerAuth']);
    assert.match(document.components.securitySchemes.bearerAuth.description, /`Bearer <key>`/);
    assert.deepEqual(document.paths['/tokens/{id}/'].get.security, [{ bearerAuth: ['tokens'] }]);
  });

  test('the docs view puts the first keyword before a key pasted alone', async () => {
    const view = tessera.views.docs({ schemaUrl: '/openapi/' });
    const script = await view.handle(get(), { params: { asset: 'swagger-initializer.js' } });
    assert.equal(script.status, 200);
    assert.match(script.body, /url: "\/openapi\/\?format=openapi-json"/);
    assert.match(script.body, /"Bearer "/);
    const page = await view.handle(get());
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(page.headers['content-security-policy'] ?? '', /default-src 'none'/);
  });
});
