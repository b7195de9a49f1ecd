import { after } from 'node:test';
import { openMysqlStore } from '../../src/stores/mysql/index.js';
import { FreshDatabases } from '../stores/fresh-database.js';
import { runDrfParitySuite } from './drf-parity-suite.js';
import { referenceServerTarget } from './reference-server-target.js';

const databases = new FreshDatabases('mysql');
after(() => databases.dropAll());

runDrfParitySuite(
  referenceServerTarget('reference server (Fastify, MariaDB/MySQL)', async () =>
    openMysqlStore({ url: (await databases.create()).url }),
  ),
);
