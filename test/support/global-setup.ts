import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { Client } from 'pg';
import type { TestProject } from 'vitest/node';
import { createDataSource, runMigrations } from '../../src/db/data-source';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../src/db/embedded';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A connection string for the test server; files create their databases from it. */
    serverUrl: string;
    /** A migrated database that every test file's database is copied from. */
    templateDatabase: string;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

let embedded: EmbeddedPostgresHandle | null = null;
let dataDir: string | null = null;
let serverUrl = '';
let template = '';

/**
 * With DATABASE_URL the tests use that server; without it they start the embedded Postgres in a
 * temporary directory, exactly as `npm start` would. Either way the committed migrations build a
 * template database once, and each test file gets its own copy (created in milliseconds).
 */
export async function setup(project: TestProject): Promise<void> {
  if (process.env.DATABASE_URL) {
    serverUrl = process.env.DATABASE_URL;
  } else {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'claimgraph-test-'));
    fs.chmodSync(dataDir, 0o755);
    embedded = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg'), port: await freePort(), database: 'postgres' });
    serverUrl = embedded.url;
  }
  template = `cg_template_${process.pid}_${Date.now()}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${template}`);
  } finally {
    await admin.end();
  }
  const dataSource = createDataSource({ url: withDatabase(serverUrl, template), poolSize: 1 });
  await dataSource.initialize();
  try {
    await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
  project.provide('serverUrl', serverUrl);
  project.provide('templateDatabase', template);
}

export async function teardown(): Promise<void> {
  if (serverUrl && template) {
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }
  await embedded?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
}
