import { openSqliteStore } from '../../src/stores/sqlite/index.js';
import { runDrfParitySuite } from './drf-parity-suite.js';
import { referenceServerTarget } from './reference-server-target.js';

runDrfParitySuite(
  referenceServerTarget('reference server (Fastify, SQLite :memory:)', async () =>
    openSqliteStore({ filename: ':memory:' }),
  ),
);
