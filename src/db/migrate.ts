// Applies prisma/migrations at start-up. Writes the same `_prisma_migrations` rows as `prisma migrate deploy`
// (so the Prisma CLI stays in agreement), without the CLI's 10-second exit delay under its WASM engine. Then the
// repeatable files (prisma/repeatable/*.sql: triggers, functions, views in their current definition) are re-applied
// whenever their checksum changes, as Flyway's repeatable migrations are.
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type pg from "pg";
import { installJobQueue } from "../documents/jobs.ts";

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, "../../prisma/migrations");
export const REPEATABLE_DIR = path.resolve(import.meta.dirname, "../../prisma/repeatable");
const LOCK_KEY = 4_242_001; // advisory lock: two processes starting at once apply each migration once

/** Applies the pending migrations, then the changed repeatable files; returns the names of both, in order. */
export async function applyMigrations(pool: pg.Pool, dir = MIGRATIONS_DIR, repeatableDir = REPEATABLE_DIR): Promise<string[]> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query("SELECT pg_advisory_lock($1)", [LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
    const rows = await client.query<{ migration_name: string; finished_at: Date | null; rolled_back_at: Date | null }>(
      `SELECT migration_name, finished_at, rolled_back_at FROM "_prisma_migrations"`,
    );
    const failed = rows.rows.find((r) => !r.finished_at && !r.rolled_back_at);
    if (failed) throw new Error(`migration ${failed.migration_name} failed earlier; resolve it with \`prisma migrate resolve\``);
    const done = new Set(rows.rows.filter((r) => r.finished_at).map((r) => r.migration_name));
    for (const name of names) {
      if (done.has(name)) continue;
      const sql = await readFile(path.join(dir, name, "migration.sql"), "utf8");
      const checksum = createHash("sha256").update(sql).digest("hex");
      await client.query("BEGIN");
      try {
        await client.query(sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, now(), 1)`,
          [randomUUID(), checksum, name],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new Error(`migration ${name} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(name);
    }
    applied.push(...(await applyRepeatables(client, repeatableDir)));
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY]).catch(() => undefined);
    client.release();
  }
  // The background job queue (graphile-worker) keeps its own schema, migrated by its own code.
  await installJobQueue(pool);
  return applied;
}

/**
 * Re-applies each repeatable file whose checksum differs from the one recorded when it was last applied (or that was
 * never applied), in name order, each in its own transaction with its record. Returns `repeatable/<file>` names.
 */
async function applyRepeatables(client: pg.PoolClient, dir: string): Promise<string[]> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith(".sql")).sort();
  if (!files.length) return [];
  await client.query(`CREATE TABLE IF NOT EXISTS "_repeatable_migrations" (
    "name" VARCHAR(255) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "applied_at" TIMESTAMPTZ NOT NULL DEFAULT now())`);
  const recorded = new Map(
    (await client.query<{ name: string; checksum: string }>(`SELECT name, checksum FROM "_repeatable_migrations"`)).rows.map((r) => [r.name, r.checksum]),
  );
  const applied: string[] = [];
  for (const file of files) {
    const sql = await readFile(path.join(dir, file), "utf8");
    const checksum = createHash("sha256").update(sql).digest("hex");
    if (recorded.get(file) === checksum) continue;
    await client.query("BEGIN");
    try {
      await client.query(sql);
      await client.query(
        `INSERT INTO "_repeatable_migrations" (name, checksum, applied_at) VALUES ($1, $2, now())
         ON CONFLICT (name) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = EXCLUDED.applied_at`,
        [file, checksum],
      );
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK");
      throw new Error(`repeatable ${file} failed: ${(error as Error).message}`, { cause: error });
    }
    applied.push(`repeatable/${file}`);
  }
  return applied;
}
