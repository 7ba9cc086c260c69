// One throwaway PostgreSQL for the whole run (or TEST_DATABASE_URL's server), with a migrated template database
// that each test file copies into a database of its own.
import os from "node:os";
import path from "node:path";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../../src/db/embedded.ts";
import { applyMigrations } from "../../src/db/migrate.ts";

declare module "vitest" {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    templateDatabase: string;
  }
}

let embedded: EmbeddedDatabase | undefined;
let tempDir: string | undefined;

export async function setup(project: TestProject) {
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    tempDir = await mkdtemp(path.join(os.tmpdir(), "clientdesk-test-"));
    await chmod(tempDir, 0o755); // as root the cluster runs as `postgres`, which may then keep it in this folder
    embedded = await startEmbeddedPostgres({ dir: tempDir, throwaway: true, database: "postgres" });
    adminUrl = embedded.url;
  }
  const template = `clientdesk_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${template}`;
  const pool = new pg.Pool({ connectionString: url.toString() });
  await applyMigrations(pool);
  await pool.end();
  project.provide("adminDatabaseUrl", adminUrl);
  project.provide("templateDatabase", template);

  return async () => {
    if (embedded) await embedded.stop();
    else {
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      const dbs = await cleanup.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'clientdesk_test_%' OR datname = $1`, [template]);
      for (const { datname } of dbs.rows) await cleanup.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      await cleanup.end();
    }
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  };
}
