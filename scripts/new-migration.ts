// Writes a new migration from the difference between prisma/migrations and prisma/schema.prisma:
//   npm run db:migration -- add_clients
// Uses `prisma migrate diff` (which needs a database for its shadow copy: DATABASE_URL, or the embedded one).
// `prisma migrate dev` works too (`npm run prisma -- migrate dev`), but under the WASM engine it ends with a
// spurious "null pointer passed to rust" after writing the migration; diff is the quiet path.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startEmbeddedPostgres } from "../src/db/embedded.ts";

const name = (process.argv[2] ?? "").replace(/[^a-z0-9_]/gi, "_").toLowerCase();
if (!name) {
  console.error("usage: npm run db:migration -- <name>");
  process.exit(2);
}
const embedded = process.env.DATABASE_URL
  ? undefined
  : await startEmbeddedPostgres({ dir: path.resolve(process.env.DATA_DIR ?? "data", "postgres"), port: Number(process.env.EMBEDDED_PG_PORT ?? 5433) });
try {
  const sql = execFileSync(
    process.execPath,
    ["node_modules/prisma/build/index.js", "migrate", "diff", "--from-migrations", "prisma/migrations", "--to-schema-datamodel", "prisma/schema.prisma", "--script"],
    { env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL ?? embedded!.url, CHECKPOINT_DISABLE: "1" }, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
  )
    .split("\n")
    .filter((line) => !line.startsWith("Loaded Prisma config"))
    .join("\n")
    .trim();
  if (!sql || sql === "-- This is an empty migration.") {
    console.log("The schema matches the migrations: nothing to write.");
  } else {
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const dir = path.join("prisma", "migrations", `${stamp}_${name}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "migration.sql"), sql + "\n");
    console.log(`Wrote ${dir}/migration.sql: review it, add what Prisma cannot express (CHECKs, triggers, partial indexes), commit it.`);
  }
} finally {
  await embedded?.stop();
}
