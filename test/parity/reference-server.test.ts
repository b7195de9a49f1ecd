import { openSqliteStore } from '../../src/stores/sqlite/index.js';
import { runDrfParitySuite } from './drf-parity-suite.js';
import { referenceServerTarget } from './reference-server-target.js';

// As shipped, the API's paths are answered before Fastify routes them (`directViews`).
runDrfParitySuite(
  referenceServerTarget('reference server (Fastify, SQLite :memory:)', async () =>
    openSqliteStore({ filename: ':memory:' }),
  ),
);

// With the access log on, Fastify's routes answer every request: the same answers.
runDrfParitySuite(
  referenceServerTarget(
    'reference server, access log on (Fastify routes, SQLite :memory:)',
    async () => openSqliteStore({ filename: ':memory:' }),
    { accessLog: true },
  ),
);
