import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse } from 'yaml';
import { CliSandbox } from '../cli/run-cli.js';

const sandbox = new CliSandbox();

after(() => sandbox.cleanup());

describe('tessera generateschema', () => {
  test('prints the OpenAPI document as YAML by default, without opening the database', () => {
    const result = sandbox.run(['generateschema']);
    assert.equal(result.stderr, '');
    assert.equal(result.status, 0);
    const document = parse(result.stdout);
    assert.equal(document.openapi, '3.1.0');
    assert.ok(document.paths['/api-token-auth/'].post);
    assert.equal(existsSync(join(sandbox.dir, 'db.sqlite3')), false);
  });

  test('prints JSON with --format openapi-json, and writes --file PATH', () => {
    const json = sandbox.run(['generateschema', '--format', 'openapi-json']);
    assert.equal(json.status, 0);
    assert.equal(JSON.parse(json.stdout).openapi, '3.1.0');
    const file = join(sandbox.dir, 'schema.json');
    const written = sandbox.run(['generateschema', '--format', 'openapi-json', '--file', file]);
    assert.equal(written.status, 0);
    assert.equal(written.stdout, '');
    assert.equal(readFileSync(file, 'utf8'), json.stdout);
  });

  test('takes the title and version flags, and the keyword from TESSERA_KEYWORDS', () => {
    const result = sandbox.run(
      ['generateschema', '--title', 'Builds', '--api_version', '2.0.0', '--format', 'openapi-json'],
      { env: { TESSERA_KEYWORDS: 'Bearer,Token' } },
    );
    assert.equal(result.status, 0, result.stderr);
    const document = JSON.parse(result.stdout);
    assert.deepEqual(document.info.title, 'Builds');
    assert.deepEqual(document.info.version, '2.0.0');
    assert.deepEqual(Object.keys(document.components.securitySchemes), ['bearerAuth']);
  });

  test('refuses an unknown format as a usage error (exit 2)', () => {
    const result = sandbox.run(['generateschema', '--format', 'xml']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /Allowed choices are openapi, openapi-json/);
  });
});
