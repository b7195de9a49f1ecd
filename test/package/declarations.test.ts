// tessera-auth's declaration files, compiled the way a user's project compiles them: `strict`,
// without `skipLibCheck`, in a project that installs only its own framework. A declaration that
// names another framework's or a driver's types fails here with "Cannot find module".
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createPackedProject, type PackedProject } from './packed-project.js';

interface Setup {
  /** What the project installs beside tessera-auth. */
  readonly dependencies: string[];
  readonly compilerOptions: Record<string, unknown>;
  readonly main: string;
}

/** A user's strict project; `skipLibCheck` stays off so tessera's .d.ts files are checked. */
const STRICT = {
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  strict: true,
  skipLibCheck: false,
  noEmit: true,
};

/** Uses the root's main names, so their declarations (and what they reference) are checked. */
const ROOT_USE = [
  "import * as tessera from 'tessera-auth';",
  'export type Composed = [',
  '  ReturnType<typeof tessera.createTessera>,',
  '  Awaited<ReturnType<typeof tessera.openStore>>,',
  '  ReturnType<typeof tessera.defineView>,',
  '  tessera.TesseraOptions,',
  '  tessera.Request,',
  '];',
  'export const permissions = [tessera.IsAuthenticated, tessera.HasScope("tokens")];',
].join('\n');

const SETUPS: Record<string, Setup> = {
  // Classic NestJS: CommonJS output, node10 resolution, decorators. Nest's own declarations
  // need @types/node (Buffer, 'stream'), so every Nest project has it.
  nest: {
    dependencies: [
      'typescript',
      '@nestjs/common',
      '@nestjs/core',
      'reflect-metadata',
      'rxjs',
      '@types/node',
    ],
    compilerOptions: {
      ...STRICT,
      module: 'commonjs',
      moduleResolution: 'node10',
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
    },
    main: [
      ROOT_USE,
      "import * as nest from 'tessera-auth/nest';",
      'export type Nest = [typeof nest.TesseraModule, typeof nest.TesseraGuard];',
    ].join('\n'),
  },
  express: {
    dependencies: ['typescript', 'express', '@types/express'],
    compilerOptions: STRICT,
    main: [
      ROOT_USE,
      "import * as express from 'tessera-auth/express';",
      'export type Express = [typeof express.protect, typeof express.mountView];',
    ].join('\n'),
  },
  fastify: {
    dependencies: ['typescript', 'fastify'],
    compilerOptions: STRICT,
    main: [
      ROOT_USE,
      "import * as fastify from 'tessera-auth/fastify';",
      'export type Fastify = [typeof fastify.tessera, typeof fastify.mountView];',
    ].join('\n'),
  },
  hono: {
    dependencies: ['typescript', 'hono'],
    compilerOptions: STRICT,
    main: [
      ROOT_USE,
      "import * as hono from 'tessera-auth/hono';",
      'export type Hono = [typeof hono.protect, typeof hono.mountView];',
    ].join('\n'),
  },
  node: {
    dependencies: ['typescript', '@types/node'],
    compilerOptions: { ...STRICT, types: ['node'] },
    main: [
      ROOT_USE,
      "import * as node from 'tessera-auth/node';",
      "import * as kit from 'tessera-auth/adapter-kit';",
      "import * as testing from 'tessera-auth/testing';",
      'export type Node = [typeof node.viewListener, typeof kit, typeof testing];',
    ].join('\n'),
  },
};

describe('declarations under strict, without skipLibCheck, next to one framework', {
  concurrency: 2,
}, () => {
  const projects: PackedProject[] = [];
  after(() => Promise.all(projects.map((project) => project.cleanup())));

  for (const [name, setup] of Object.entries(SETUPS)) {
    test(`${name}: ${setup.dependencies.join(' + ')}`, async () => {
      const project = await createPackedProject({
        dependencies: setup.dependencies,
        packageJson:
          setup.compilerOptions.module === 'commonjs'
            ? { name: `${name}-app`, private: true }
            : { name: `${name}-app`, private: true, type: 'module' },
        tsconfig: { compilerOptions: setup.compilerOptions, files: ['main.ts'] },
        files: { 'main.ts': `${setup.main}\n` },
      });
      projects.push(project);
      const result = await project.exec('node', ['node_modules/typescript/bin/tsc', '-p', '.']);
      assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    });
  }
});
