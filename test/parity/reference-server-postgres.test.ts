import { after } from 'node:test';
import { openPostgresStore } from '../../src/stores/postgres/index.js';
import { FreshDatabases } from '../stores/fresh-database.js';
import { runDrfParitySuite } from './drf-parity-suite.js';
import { referenceServerTarget } from './reference-server-target.js';

const databases = new FreshDatabases('postgres');
after(() => databases.dropAll());

runDrfParitySuite(
  referenceServerTarget('reference server (Fastify, PostgreSQL)', async () =>
    openPostgresStore({ url: (await databases.create()).url }),
  ),
);
