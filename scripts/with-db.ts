// Runs a command (e.g. the Prisma CLI) with DATABASE_URL set: the given one, or the embedded PostgreSQL in DATA_DIR.
import { spawn } from "node:child_process";
import { startEmbeddedPostgres } from "../src/db/embedded.ts";
import { embeddedOptions } from "../src/db/database.ts";
import { loadConfig } from "../src/config.ts";

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error("usage: tsx scripts/with-db.ts <command> [args...]");
  process.exit(2);
}
const embedded = process.env.DATABASE_URL
  ? undefined
  : await startEmbeddedPostgres({ ...embeddedOptions(loadConfig()), log: (line) => console.error(line) });
const env = { ...process.env, DATABASE_URL: process.env.DATABASE_URL ?? embedded!.url };
const child = spawn(command, args, { stdio: "inherit", env });
const code: number = await new Promise((resolve) => child.on("exit", (c) => resolve(c ?? 1)));
await embedded?.stop();
process.exit(code);
