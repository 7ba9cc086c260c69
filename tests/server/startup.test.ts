// The real server process: migrations at start-up, the first administrator, /healthz, a clean stop on Ctrl-C,
// and the embedded PostgreSQL keeping every record across a restart.
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterEach, describe, expect, inject, it } from "vitest";
import { freePort } from "../../src/db/embedded.ts";
import { killServers, listening, startServer, type ServerProcess } from "../helpers/server-process.ts";
import { verifyPassword } from "../../src/auth/passwords.ts";
import { MIGRATIONS_DIR } from "../../src/db/migrate.ts";
import { createTestDatabaseUrl } from "../helpers/db.ts";

const TIMEOUT = 60_000;
const STRONG_PASSWORD = "juniper voltage 58 marble lagoon";
/** The line of the first-admin block that carries a generated password (never the ADMIN_PASSWORD one). */
const GENERATED_PASSWORD_LINE = /^\s*Password:\s+([A-Za-z0-9_-]{16,})\s*$/gm;

afterEach(killServers);

function generatedPasswords(output: string): string[] {
  return [...output.matchAll(GENERATED_PASSWORD_LINE)].map((m) => m[1]!);
}

/** A database with nothing in it (not the migrated template), on the suite's PostgreSQL. */
async function createEmptyDatabaseUrl(): Promise<string> {
  const adminUrl = inject("adminDatabaseUrl");
  const name = `clientdesk_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

interface UserRow {
  id: string;
  email: string;
  role: string;
  must_change_password: boolean;
  password_hash: string;
}
const USERS_SQL = `SELECT id, email, role::text AS role, must_change_password, password_hash FROM users ORDER BY created_at`;

async function expectCleanStop(server: ServerProcess, options: { group?: boolean } = {}) {
  const { code, signal } = await server.interrupt(options);
  expect(server.output()).toContain("stopped cleanly");
  expect({ code, signal }).toEqual({ code: 0, signal: null });
}

describe("server start-up on DATABASE_URL", () => {
  it(
    "applies the migrations, prints a generated first-admin password once, answers /healthz and stops cleanly on SIGINT",
    async () => {
      const url = await createEmptyDatabaseUrl();
      const migrations = (await readdir(MIGRATIONS_DIR, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
      expect(migrations.length).toBeGreaterThan(0);

      const first = await startServer({ DATABASE_URL: url });
      await listening(first);
      await first.waitFor("shown only once");
      const out = first.output();
      expect(out).toContain("migrations applied");
      for (const name of migrations) expect(out).toContain(name);
      const applied = await query<{ migration_name: string }>(url, `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL`);
      expect(applied.map((r) => r.migration_name).sort()).toEqual([...migrations].sort());

      expect(out).toContain("Clientdesk: first administrator created");
      expect(out).toContain(`Sign in at http://127.0.0.1:${first.port}/login`);
      expect(out).toMatch(/^\s*Email:\s+admin@clientdesk\.local\s*$/m);
      const passwords = generatedPasswords(out);
      expect(passwords).toHaveLength(1);
      const users = await query<UserRow>(url, USERS_SQL);
      expect(users).toHaveLength(1);
      expect(users[0]).toMatchObject({ email: "admin@clientdesk.local", role: "admin", must_change_password: true });
      expect(await verifyPassword(users[0]!.password_hash, passwords[0]!)).toBe(true);

      const health = await fetch(`http://127.0.0.1:${first.port}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: "ok" });

      await expectCleanStop(first);
      expect(generatedPasswords(first.output())).toHaveLength(1); // printed once in the whole run

      // A second start on the same database: nothing to migrate, no new admin, no password printed.
      const second = await startServer({ DATABASE_URL: url });
      await listening(second);
      expect((await fetch(`http://127.0.0.1:${second.port}/healthz`)).status).toBe(200);
      await expectCleanStop(second);
      expect(second.output()).not.toContain("migrations applied");
      expect(second.output()).not.toContain("first administrator created");
      expect(second.output()).not.toMatch(/Password:/);
      expect(await query<UserRow>(url, USERS_SQL)).toEqual(users);
    },
    TIMEOUT,
  );

  it(
    "creates the first admin from ADMIN_EMAIL and ADMIN_PASSWORD, not forced to change the password, and never prints it",
    async () => {
      const url = await createTestDatabaseUrl();
      const server = await startServer({ DATABASE_URL: url, ADMIN_EMAIL: "Boss@Example.TEST", ADMIN_PASSWORD: STRONG_PASSWORD });
      await listening(server);
      await server.waitFor("the ADMIN_PASSWORD you set");
      expect(server.output()).toMatch(/^\s*Email:\s+boss@example\.test\s*$/m);
      expect(server.output()).not.toContain(STRONG_PASSWORD);
      expect(generatedPasswords(server.output())).toHaveLength(0);
      const users = await query<UserRow>(url, USERS_SQL);
      expect(users).toHaveLength(1);
      expect(users[0]).toMatchObject({ email: "boss@example.test", role: "admin", must_change_password: false });
      expect(await verifyPassword(users[0]!.password_hash, STRONG_PASSWORD)).toBe(true);
      await expectCleanStop(server);
    },
    TIMEOUT,
  );

  it(
    "refuses to start with a weak ADMIN_PASSWORD, saying so, with a non-zero exit and no admin created",
    async () => {
      const url = await createTestDatabaseUrl();
      const server = await startServer({ DATABASE_URL: url, ADMIN_PASSWORD: "password123" });
      const { code } = await server.exited;
      expect(code).not.toBe(0);
      expect(server.output()).toContain("Clientdesk could not start: ADMIN_PASSWORD is too weak");
      expect(server.output()).not.toContain("Clientdesk is listening");
      expect(await query(url, USERS_SQL)).toHaveLength(0);
    },
    TIMEOUT,
  );

});

describe("server start-up with the embedded PostgreSQL (no DATABASE_URL)", () => {
  it(
    "a restart keeps every record: the first run's admin is still there and no new password is printed",
    async () => {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), "clientdesk-startup-"));
      await chmod(dataDir, 0o755); // as root, the embedded PostgreSQL runs as `postgres` and must reach DATA_DIR/postgres
      try {
        const pgPort = await freePort();
        const env = { DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort) };

        const first = await startServer(env);
        await listening(first);
        await first.waitFor("shown only once");
        expect(first.output()).toContain("no DATABASE_URL: starting the embedded PostgreSQL");
        expect(first.output()).toContain('"database":"embedded"');
        const [password] = generatedPasswords(first.output());
        expect(password).toBeTruthy();
        const pgPassword = (await readFile(path.join(dataDir, "postgres", "pg-password"), "utf8")).trim();
        const url = `postgresql://clientdesk:${encodeURIComponent(pgPassword)}@127.0.0.1:${pgPort}/clientdesk`;
        const before = await query<UserRow>(url, USERS_SQL);
        expect(before).toHaveLength(1);
        expect((await fetch(`http://127.0.0.1:${first.port}/healthz`)).status).toBe(200);
        await expectCleanStop(first);

        const second = await startServer(env);
        await listening(second);
        expect((await fetch(`http://127.0.0.1:${second.port}/healthz`)).status).toBe(200);
        const after = await query<UserRow>(url, USERS_SQL);
        expect(after).toEqual(before);
        expect(await verifyPassword(after[0]!.password_hash, password!)).toBe(true);
        await expectCleanStop(second);
        expect(second.output()).not.toContain("first administrator created");
        expect(second.output()).not.toMatch(/Password:/);
        expect(second.output()).not.toContain("migrations applied");
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
    2 * TIMEOUT,
  );

  it(
    "stops cleanly on Ctrl-C to the whole process group when started by `npm start`",
    async () => {
      // The embedded default, as `npm start` with no configuration: Ctrl-C reaches npm, its shell and the server;
      // the server finishes its requests and stops the embedded PostgreSQL before it exits.
      const dataDir = await mkdtemp(path.join(os.tmpdir(), "clientdesk-startup-"));
      await chmod(dataDir, 0o755);
      try {
        const server = await startServer({ DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()) }, { via: "npm-start" });
        await listening(server);
        expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
        // npm itself ends by the signal it was sent, once the server under it has stopped cleanly.
        await server.interrupt({ group: true });
        expect(server.output()).toContain("stopped cleanly");
        expect(await readFile(path.join(dataDir, "postgres", "pg", "postmaster.pid"), "utf8").catch(() => "gone")).toBe("gone");
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
    TIMEOUT,
  );
});
