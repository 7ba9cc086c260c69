// Prisma CLI configuration for these offline machines; each workaround is explained in
// ../shared/design/PLATFORM.md ("Prisma: use 6.19.3, Rust-free, with the pg driver adapter").
import path from "node:path";
import { createRequire } from "node:module";
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

// Point the CLI at an existing file so it never tries to download native engines; the WASM ones run.
process.env.PRISMA_QUERY_ENGINE_LIBRARY ??= path.resolve("package.json");
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve("package.json");

// prisma/orm#27403: the WASM schema engine cannot read pg's `name` (19) and `"char"` (18) columns; read them as text.
const require = createRequire(import.meta.url);
const Result = require("pg/lib/result.js") as { prototype: { addFields(fields: { dataTypeID: number }[]): void } };
const addFields = Result.prototype.addFields;
Result.prototype.addFields = function (fields) {
  for (const field of fields) if (field.dataTypeID === 18 || field.dataTypeID === 19) field.dataTypeID = 25;
  return addFields.call(this, fields);
};

function connectionFields(url: string) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
  };
}

export default defineConfig({
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  experimental: { adapter: true },
  engine: "js",
  async adapter() {
    // Commands that need no database (--version, generate) still build the adapter; it connects lazily.
    const url = process.env.DATABASE_URL ?? "postgresql://localhost:5432/clientdesk";
    // Discrete fields, not connectionString, or the shadow database connects to the main one.
    // A short idle timeout lets the CLI exit as soon as it is done instead of waiting 10 s for the pool.
    const fields = { ...connectionFields(url), idleTimeoutMillis: 50 };
    const factory = new PrismaPg(fields);
    // The stock shadow cleanup drops the database while its pool is still open; close the pool first.
    if (!process.env.NO_SHADOW_FIX) factory.connectToShadowDb = async () => {
      const admin = await factory.connect();
      const database = `prisma_shadow_${crypto.randomUUID().replace(/-/g, "")}`;
      await admin.executeScript(`CREATE DATABASE "${database}"`);
      const shadowFactory = new PrismaPg({ ...fields, database });
      const shadow = await shadowFactory.connect();
      const dispose = shadow.dispose.bind(shadow);
      shadow.dispose = async () => {
        await dispose();
        await admin.executeScript(`DROP DATABASE IF EXISTS "${database}"`);
        await admin.dispose();
      };
      return shadow;
    };
    return factory;
  },
});
