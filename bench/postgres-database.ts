import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A database made for one benchmark, and the way to drop it. */
export interface BenchDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** Creates `tessera_bench_<random>` on the admin URL's PostgreSQL server. */
export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `tessera_bench_${randomBytes(6).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name} ENCODING 'UTF8'`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.href, drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
