// Runs a command (e.g. the Prisma CLI) with DATABASE_URL set: the given one, or the embedded PostgreSQL in DATA_DIR.
import { spawn } from "node:child_process";
import path from "node:path";
import { startEmbeddedPostgres } from "../src/db/embedded.ts";

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error("usage: tsx scripts/with-db.ts <command> [args...]");
  process.exit(2);
}
const embedded = process.env.DATABASE_URL
  ? undefined
  : await startEmbeddedPostgres({ dir: path.resolve(process.env.DATA_DIR ?? "data", "postgres"), port: Number(process.env.EMBEDDED_PG_PORT ?? 5433) });
const env = { ...process.env, DATABASE_URL: process.env.DATABASE_URL ?? embedded!.url };
const child = spawn(command, args, { stdio: "inherit", env });
const code: number = await new Promise((resolve) => child.on("exit", (c) => resolve(c ?? 1)));
await embedded?.stop();
process.exit(code);
