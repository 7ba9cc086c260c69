// Repeatable SQL files (prisma/repeatable/*.sql): applied after the migrations, and again only when their checksum
// changes, each in one transaction with its record; the access triggers and views are defined there.
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, MIGRATIONS_DIR, REPEATABLE_DIR } from "../../src/db/migrate.ts";
import { createTestDatabaseUrl } from "../helpers/db.ts";

let pool: pg.Pool;
let dir: string;
/** Migrations that make nothing: the repeatable files alone are under test in the scratch database. */
let noMigrations: string;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createTestDatabaseUrl(), max: 2 });
  dir = await mkdtemp(path.join(tmpdir(), "repeatable-"));
  noMigrations = await mkdtemp(path.join(tmpdir(), "migrations-"));
});
afterAll(async () => {
  await pool.end();
  await rm(dir, { recursive: true, force: true });
  await rm(noMigrations, { recursive: true, force: true });
});

const fn = `repeatable_probe_${randomBytes(3).toString("hex")}`;
const definition = (n: number) => `CREATE OR REPLACE FUNCTION ${fn}() RETURNS int LANGUAGE sql AS $$ SELECT ${n} $$;\n`;
const probe = async () => (await pool.query<{ n: number }>(`SELECT ${fn}() AS n`)).rows[0]!.n;

describe("repeatable SQL files", () => {
  it("applies a new file once, and again only when it changes", async () => {
    await writeFile(path.join(dir, "probe.sql"), definition(1));
    expect(await applyMigrations(pool, noMigrations, dir)).toEqual(["repeatable/probe.sql"]);
    expect(await probe()).toBe(1);
    expect(await applyMigrations(pool, noMigrations, dir)).toEqual([]);
    await writeFile(path.join(dir, "probe.sql"), definition(2));
    expect(await applyMigrations(pool, noMigrations, dir)).toEqual(["repeatable/probe.sql"]);
    expect(await probe()).toBe(2);
    const [row] = (await pool.query<{ checksum: string }>(`SELECT checksum FROM "_repeatable_migrations" WHERE name = 'probe.sql'`)).rows;
    expect(row!.checksum).toBe(createHash("sha256").update(definition(2)).digest("hex"));
  });

  it("rolls a failing file back whole and keeps the previous checksum, so the next start tries again", async () => {
    await writeFile(path.join(dir, "probe.sql"), `${definition(3)}SELECT no_such_function();\n`);
    await expect(applyMigrations(pool, noMigrations, dir)).rejects.toThrow(/repeatable probe\.sql failed/);
    expect(await probe()).toBe(2);
    await writeFile(path.join(dir, "probe.sql"), definition(3));
    expect(await applyMigrations(pool, noMigrations, dir)).toEqual(["repeatable/probe.sql"]);
    expect(await probe()).toBe(3);
  });

  it("has applied the access triggers and views to the app's database, at the file's current checksum", async () => {
    expect(await applyMigrations(pool, MIGRATIONS_DIR, REPEATABLE_DIR)).toEqual([]);
    const sql = await readFile(path.join(REPEATABLE_DIR, "access.sql"), "utf8");
    const [row] = (await pool.query<{ checksum: string }>(`SELECT checksum FROM "_repeatable_migrations" WHERE name = 'access.sql'`)).rows;
    expect(row?.checksum).toBe(createHash("sha256").update(sql).digest("hex"));
    const triggers = (await pool.query<{ tgname: string }>(`SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname`)).rows.map((r) => r.tgname);
    for (const name of [...sql.matchAll(/CREATE TRIGGER "([^"]+)"/g)].map((m) => m[1]!)) expect(triggers).toContain(name);
  });

  it("keeps case_access right through the re-applied triggers", async () => {
    const one = async (text: string, params: unknown[] = []) => (await pool.query(text, params)).rows[0];
    const user = await one(`INSERT INTO users (id, email, name, password_hash, updated_at) VALUES (gen_random_uuid(), $1, 'Probe', 'x', now()) RETURNING id`, [`probe-${randomBytes(3).toString("hex")}@example.test`]);
    const client = await one(`INSERT INTO clients (id, client_code, name, client_type, created_by_id, updated_at) VALUES (gen_random_uuid(), 'CLT-1997-0001', 'Probe', 'organization', $1, now()) RETURNING id`, [user.id]);
    const type = await one(`INSERT INTO case_types (id, name, code, updated_at) VALUES (gen_random_uuid(), 'Probe', $1, now()) RETURNING id`, [`P${randomBytes(3).toString("hex")}`]);
    const kase = await one(
      `INSERT INTO cases (id, case_number, title, description, client_id, manager_id, type_id, created_by_id, updated_at)
       VALUES (gen_random_uuid(), 'CASE-1997-000001', 'Probe', 'd', $1, $2, $3, $2, now()) RETURNING id, client_confidential`,
      [client.id, user.id, type.id],
    );
    expect(kase.client_confidential).toBe(false);
    await pool.query(`UPDATE clients SET is_confidential = TRUE WHERE id = $1`, [client.id]);
    const access = await one(`SELECT client_confidential FROM case_access WHERE case_id = $1 AND user_id = $2`, [kase.id, user.id]);
    expect(access.client_confidential).toBe(true);
  });
});
