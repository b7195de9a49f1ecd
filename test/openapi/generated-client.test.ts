import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type RunningReferenceServer, startReferenceServer } from './reference-server.js';

const ROOT = resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);
const OPENAPI_TYPESCRIPT = join(ROOT, 'node_modules/openapi-typescript/bin/cli.js');
const TSC = require.resolve('typescript/bin/tsc');
const TSX = import.meta.resolve('tsx');

// A client as an app would write it: types generated from the served document, calls through
// openapi-fetch, the key added once by a middleware.
const CLIENT = `import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema.js';

const client = createClient<paths>({ baseUrl: process.env.BASE_URL });
const login = await client.POST('/api-token-auth/', {
  body: { username: process.env.API_USERNAME ?? '', password: process.env.API_PASSWORD ?? '' },
});
if (!login.data) throw new Error(\`login failed: \${login.response.status}\`);
const key: string = login.data.token;
const authorize: Middleware = {
  onRequest({ request }) {
    request.headers.set('Authorization', \`Token \${key}\`);
    return request;
  },
};
client.use(authorize);
const build = await client.POST('/api/build-trigger/');
const tokens = await client.GET('/api/tokens/');
const kinds: string[] = (tokens.data ?? []).map((token) => token.kind);
const refused = await client.GET('/api/tokens/{id}/', { params: { path: { id: '999' } } });
const detail: string | undefined = refused.error?.detail;
console.log(JSON.stringify({
  login: login.response.status,
  keyPrefix: key.slice(0, 4),
  build: build.response.status,
  tokens: tokens.response.status,
  kinds,
  refused: refused.response.status,
  detail,
}));
`;

// Calls the generated types refuse: a path the server does not have, a missing field.
const MISUSE = `import createClient from 'openapi-fetch';
import type { paths } from './schema.js';

const client = createClient<paths>({ baseUrl: 'http://127.0.0.1' });
await client.GET('/api/no-such-path/');
await client.POST('/api-token-auth/', { body: { username: 'ann' } });
`;

let server: RunningReferenceServer;
let dir: string;

// Asynchronous: the server answers from this process, whose event loop must keep turning.
function run(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ status: number | null; output: string; stdout: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, {
      cwd: dir,
      env: { PATH: process.env.PATH, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', fail);
    child.on('close', (status) => done({ status, output: `${stdout}${stderr}`, stdout }));
  });
}

before(async () => {
  server = await startReferenceServer();
  dir = mkdtempSync(join(tmpdir(), 'tessera-openapi-client-'));
  // The client resolves openapi-fetch as an app would, from its node_modules.
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
      },
      include: ['*.ts'],
    }),
  );
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a client generated from the served document (openapi-typescript, openapi-fetch)', () => {
  test('type-checks, then obtains a token, triggers a build and lists tokens on the real server', async () => {
    const schema = await fetch(new URL('/api/schema/?format=openapi-json', server.url));
    assert.equal(schema.status, 200);
    writeFileSync(join(dir, 'schema.json'), await schema.text());
    const generated = await run([OPENAPI_TYPESCRIPT, 'schema.json', '--output', 'schema.d.ts']);
    assert.equal(generated.status, 0, generated.output);

    writeFileSync(join(dir, 'client.ts'), CLIENT);
    const checked = await run([TSC, '-p', 'tsconfig.json']);
    assert.equal(checked.status, 0, checked.output);

    const ran = await run(['--import', TSX, 'client.ts'], {
      BASE_URL: server.url,
      API_USERNAME: server.username,
      API_PASSWORD: server.password,
    });
    assert.equal(ran.status, 0, ran.output);
    assert.deepEqual(JSON.parse(ran.stdout), {
      login: 200,
      keyPrefix: 'tsr_',
      build: 200,
      tokens: 200,
      kinds: ['login'],
      refused: 404,
      detail: 'Not found.',
    });

    // The types are the server's: a path it lacks and a body missing a field do not compile.
    writeFileSync(join(dir, 'misuse.ts'), MISUSE);
    const misuse = await run([TSC, '-p', 'tsconfig.json']);
    assert.notEqual(misuse.status, 0);
    assert.match(misuse.output, /misuse\.ts\(5,/);
    assert.match(misuse.output, /misuse\.ts\(6,[\s\S]*password/);
  });
});
