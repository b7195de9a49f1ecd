import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { compileErrors, validate } from '@readme/openapi-parser';
import { parse } from 'yaml';
import { IsAuthenticated } from '../../src/core/auth/permissions.js';
import { DEFAULT_SETTINGS, settingsOwnedBy } from '../../src/core/config/settings.js';
import { defineView } from '../../src/core/http/view.js';
import { type OpenApiDocument, openApiDocument } from '../../src/core/openapi/openapi-document.js';
import { renderDocument } from '../../src/core/openapi/render-document.js';
import { createTessera, type Tessera } from '../../src/core/tessera.js';
import { isWellFormedKey } from '../../src/core/tokens/key-format.js';
import { HasScope } from '../../src/core/tokens/scopes.js';
import { referenceDocumentOptions, referenceRoutes } from '../../src/server/routes.js';
import { openSqliteStore } from '../../src/stores/sqlite/index.js';

// biome-ignore lint/suspicious/noExplicitAny: the test walks a parsed document freely.
type Json = Record<string, any>;

const store = openSqliteStore({ filename: ':memory:' });
let tessera: Tessera;
let document: OpenApiDocument;

function operation(path: string, method: string): Json {
  const found = (document.paths as Json)[path]?.[method];
  assert.ok(found, `${method.toUpperCase()} ${path} is described`);
  return found;
}

before(() => {
  tessera = createTessera({ store, settings: settingsOwnedBy('library', DEFAULT_SETTINGS) });
  document = openApiDocument(referenceDocumentOptions(referenceRoutes(tessera), '1.2.3'));
});

after(async () => {
  await tessera.close();
  await store.close();
});

describe("the reference server's OpenAPI document", () => {
  test('is valid OpenAPI 3.1 by @readme/openapi-parser, as JSON and as YAML', async () => {
    for (const text of [
      renderDocument(document, 'openapi-json'),
      renderDocument(document, 'openapi'),
    ]) {
      const parsed = text.trimStart().startsWith('{') ? JSON.parse(text) : parse(text);
      assert.deepEqual(parsed, JSON.parse(JSON.stringify(document)));
      const result = await validate(structuredClone(parsed));
      assert.equal(result.valid, true, result.valid ? '' : compileErrors(result));
    }
    assert.equal(document.openapi, '3.1.0');
    assert.equal((document.info as Json).version, '1.2.3');
  });

  test('describes every route the server mounts, each method with a unique id', () => {
    assert.deepEqual(Object.keys(document.paths as Json), [
      '/api/build-trigger/',
      '/api-token-auth/',
      '/api-token-auth/logout/',
      '/api-token-auth/logoutall/',
      '/api/tokens/',
      '/api/tokens/{id}/',
      '/api/tokens/{id}/rotate/',
      '/auth/verify/',
    ]);
    const ids = Object.values(document.paths as Json).flatMap((item) =>
      Object.values(item as Json).map((op) => (op as Json).operationId),
    );
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ['triggerBuild', 'obtainToken', 'logout', 'logoutAll', 'listTokens']) {
      assert.ok(ids.includes(id), id);
    }
    assert.deepEqual(Object.keys((document.paths as Json)['/api/tokens/{id}/']), ['get', 'delete']);
  });

  test("has drf-spectacular's token scheme: an API key in Authorization, `Token <key>`", () => {
    const schemes = (document.components as Json).securitySchemes;
    assert.deepEqual(Object.keys(schemes), ['tokenAuth']);
    assert.equal(schemes.tokenAuth.type, 'apiKey');
    assert.equal(schemes.tokenAuth.in, 'header');
    assert.equal(schemes.tokenAuth.name, 'Authorization');
    assert.match(schemes.tokenAuth.description, /`Token <key>`/);
    assert.match(schemes.tokenAuth.description, /required prefix "Token"/);
  });

  test('lists the scopes HasScope requires per operation; obtain-token needs no credentials', () => {
    assert.deepEqual(operation('/api/tokens/', 'get').security, [{ tokenAuth: ['tokens'] }]);
    assert.deepEqual(operation('/api-token-auth/logoutall/', 'post').security, [
      { tokenAuth: ['tokens'] },
    ]);
    assert.deepEqual(operation('/api/build-trigger/', 'post').security, [{ tokenAuth: [] }]);
    assert.deepEqual(operation('/api-token-auth/', 'post').security, []);
  });

  test("gives DRF's error shapes: 401 with WWW-Authenticate, 403, 405 with Allow, 406, 415, 429 with Retry-After", () => {
    const list = operation('/api/tokens/', 'post').responses;
    assert.deepEqual(Object.keys(list), [
      '201',
      '400',
      '401',
      '403',
      '405',
      '406',
      '415',
      '429',
      '503',
    ]);
    assert.equal(list['401'].headers['WWW-Authenticate'].schema.example, 'Token');
    assert.deepEqual(list['401'].content['application/json'].example, {
      detail: 'Authentication credentials were not provided.',
    });
    assert.deepEqual(list['403'].content['application/json'].example, {
      detail: 'This token lacks the scope tokens.',
    });
    assert.equal(list['405'].headers.Allow.schema.example, 'GET, POST, HEAD, OPTIONS');
    assert.deepEqual(list['406'].content['application/json'].example, {
      detail: 'Could not satisfy the request Accept header.',
    });
    assert.deepEqual(list['415'].content['application/json'].example, {
      detail: 'Unsupported media type "text/plain" in request.',
    });
    assert.ok(list['429'].headers['Retry-After']);
    // Build-trigger never reads its body: no 415, no parse error, and no 403 (only IsAuthenticated).
    const build = operation('/api/build-trigger/', 'post').responses;
    assert.deepEqual(Object.keys(build), ['200', '401', '405', '406', '429', '503']);
    assert.equal(build['200'].content, undefined);
  });

  test('request bodies come in every media type the view parses, in its parser order', () => {
    const body = operation('/api-token-auth/', 'post').requestBody;
    assert.deepEqual(Object.keys(body.content), [
      'application/x-www-form-urlencoded',
      'multipart/form-data',
      'application/json',
    ]);
    assert.deepEqual(body.content['application/json'].schema.required, ['username', 'password']);
    assert.equal(operation('/api/build-trigger/', 'post').requestBody, undefined);
  });

  test('examples show well-formed keys and the token listing', () => {
    const created = operation('/api/tokens/', 'post').responses['201'].content['application/json'];
    assert.ok(isWellFormedKey(created.example.key));
    const login = operation('/api-token-auth/', 'post').responses['200'].content[
      'application/json'
    ];
    assert.ok(isWellFormedKey(login.example.token));
    const detail = operation('/api/tokens/{id}/', 'get');
    assert.deepEqual(detail.parameters[0], {
      name: 'id',
      in: 'path',
      description: "The token's id, from the listing.",
      required: true,
      schema: { type: 'string', pattern: '^[1-9][0-9]{0,15}$' },
      example: '7',
    });
  });

  test('writes shared objects out in YAML, never as aliases', () => {
    const yaml = renderDocument(document, 'openapi');
    assert.doesNotMatch(yaml, /^\s*[\w"-]+: [*&]\w/m);
  });
});

describe('openApiDocument for an app', () => {
  test("derives drf-spectacular's ids, a path's parameters and the scheme from a plain view", () => {
    const view = defineView({
      name: 'Builds',
      authentication: [tessera.tokenAuthentication],
      permissions: [IsAuthenticated, HasScope('builds:read', 'builds:write')],
      get: () => ({ data: [] }),
      put: () => {},
    });
    const app = openApiDocument({
      title: 'Builds',
      version: '1',
      routes: [{ path: '/v1/projects/:project/builds/', view }],
    });
    const item = (app.paths as Json)['/v1/projects/{project}/builds/'];
    assert.equal(item.get.operationId, 'v1_projects_builds_retrieve');
    assert.equal(item.put.operationId, 'v1_projects_builds_update');
    assert.deepEqual(item.get.parameters, [
      { name: 'project', in: 'path', required: true, schema: { type: 'string' } },
    ]);
    assert.deepEqual(item.put.security, [{ tokenAuth: ['builds:read', 'builds:write'] }]);
    assert.equal(
      item.put.responses['403'].content['application/json'].example.detail,
      'This token lacks the scopes builds:read, builds:write.',
    );
    assert.deepEqual(item.get.responses['200'], { description: 'Done; no body.' });
  });

  test('refuses two operations with one id', () => {
    const view = defineView({ post: () => {} });
    assert.throws(
      () =>
        openApiDocument({
          title: 't',
          version: '1',
          routes: [
            { path: '/a/', view },
            { path: '/a/', view },
          ],
        }),
      /Two operations have the id a_create/,
    );
  });
});
