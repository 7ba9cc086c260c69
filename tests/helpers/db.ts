// A fresh database per test file, copied from the migrated template (fast, and isolated between files).
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";

export async function createTestDatabaseUrl(): Promise<string> {
  const adminUrl = inject("adminDatabaseUrl");
  const template = inject("templateDatabase");
  const name = `clientdesk_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
