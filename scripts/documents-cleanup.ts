// Removes orphan document files (stored, but recorded by no version): `npm run documents:cleanup [-- --dry-run]`.
// Uses the same configuration as the server (DATABASE_URL or the embedded PostgreSQL, STORAGE_BACKEND, DATA_DIR).
import { pino } from "pino";
import { loadConfig } from "../src/config.ts";
import { resolveDatabaseUrl } from "../src/db/database.ts";
import { connectDatabase } from "../src/db/client.ts";
import { createDocumentStorage } from "../src/documents/backend.ts";
import { removeOrphanFiles } from "../src/documents/cleanup.ts";

const dryRun = process.argv.includes("--dry-run");
const graceArg = process.argv.find((a) => a.startsWith("--grace-minutes="));
const graceMinutes = graceArg ? Number(graceArg.split("=")[1]) : 60;
const config = loadConfig();
const logger = pino({ level: "warn" });
const { url, embedded } = await resolveDatabaseUrl(config, logger);
const database = connectDatabase(url, { max: 2 });
try {
  const result = await removeOrphanFiles(database.pool, createDocumentStorage(config), { graceMinutes, dryRun });
  const verb = dryRun ? "would remove" : "removed";
  console.log(`Checked ${result.checked} stored files; ${verb} ${result.removed.length} orphan${result.removed.length === 1 ? "" : "s"}.`);
  for (const key of result.removed) console.log(`  ${key}`);
} finally {
  await database.close();
  await embedded?.stop();
}
