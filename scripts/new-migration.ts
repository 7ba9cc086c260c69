// Writes a new migration from the difference between the last migration's schema snapshot and prisma/schema.prisma:
//   npm run db:migration -- add_clients
// Each migration folder keeps `schema.snapshot.prisma`, the schema it brought about. Diffing schema to schema
// avoids the shadow database, whose description crashes Prisma 6.19's WASM schema engine once a migration
// holds CHECK constraints ("RuntimeError: unreachable"), which ours do. The CLI still wants a database
// connection, so DATABASE_URL or the embedded PostgreSQL is used.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startEmbeddedPostgres } from "../src/db/embedded.ts";
import { embeddedOptions } from "../src/db/database.ts";
import { loadConfig } from "../src/config.ts";

const name = (process.argv[2] ?? "").replace(/[^a-z0-9_]/gi, "_").toLowerCase();
if (!name) {
  console.error("usage: npm run db:migration -- <name>");
  process.exit(2);
}
const migrationsDir = path.join("prisma", "migrations");
const previous = readdirSync(migrationsDir, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(path.join(migrationsDir, e.name, "schema.snapshot.prisma")))
  .map((e) => e.name)
  .sort()
  .at(-1);
const from = previous ? ["--from-schema-datamodel", path.join(migrationsDir, previous, "schema.snapshot.prisma")] : ["--from-empty"];
const embedded = process.env.DATABASE_URL
  ? undefined
  : await startEmbeddedPostgres({ ...embeddedOptions(loadConfig()), log: (line) => console.error(line) });
try {
  const sql = execFileSync(
    process.execPath,
    ["node_modules/prisma/build/index.js", "migrate", "diff", ...from, "--to-schema-datamodel", "prisma/schema.prisma", "--script"],
    { env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL ?? embedded!.url, CHECKPOINT_DISABLE: "1" }, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
  )
    .split("\n")
    .filter((line) => !line.startsWith("Loaded Prisma config"))
    .join("\n")
    .trim();
  if (!sql || sql === "-- This is an empty migration.") {
    console.log("The schema matches the last migration's snapshot: nothing to write.");
  } else {
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const dir = path.join(migrationsDir, `${stamp}_${name}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "migration.sql"), sql + "\n");
    copyFileSync(path.join("prisma", "schema.prisma"), path.join(dir, "schema.snapshot.prisma"));
    console.log(`Wrote ${dir}/migration.sql: review it, add what Prisma cannot express (CHECKs, triggers, partial indexes), commit it.`);
  }
} finally {
  await embedded?.stop();
}
