// `npm run restore -- <backup folder> [--yes]`: restores a backup made by `npm run backup` into an EMPTY database and
// an empty files folder (same configuration as the server), after asking for confirmation. Refuses a target that
// holds records. Run it with the app stopped; see docs/backups.md.
import path from "node:path";
import { createInterface } from "node:readline/promises";
import { loadConfig } from "../src/config.ts";
import { connectDatabase } from "../src/db/client.ts";
import { embeddedOptions } from "../src/db/database.ts";
import { runningEmbeddedUrl, startEmbeddedPostgres, StartupError } from "../src/db/embedded.ts";
import { createDocumentStorage } from "../src/documents/backend.ts";
import { BackupError } from "../src/backup/manifest.ts";
import { checkBackup, restoreBackup, targetContents } from "../src/backup/restore.ts";

const args = process.argv.slice(2);
const yes = args.includes("--yes") || args.includes("-y");
const folder = args.find((a) => !a.startsWith("-"));

async function confirm(question: string): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY) throw new BackupError("no terminal to confirm in: add --yes to restore without asking");
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^(y|yes)$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

try {
  if (!folder) throw new BackupError("usage: npm run restore -- <backup folder> [--yes]");
  const backup = path.resolve(folder);
  const config = loadConfig();
  const manifest = await checkBackup(backup);
  let url = config.DATABASE_URL;
  let stop: (() => Promise<void>) | undefined;
  if (!url) {
    url = await runningEmbeddedUrl(embeddedOptions(config));
    if (!url) {
      const embedded = await startEmbeddedPostgres({ ...embeddedOptions(config), log: (line) => console.error(line) });
      url = embedded.url;
      stop = () => embedded.stop();
    }
  }
  const database = connectDatabase(url, { max: 2 });
  try {
    const storage = createDocumentStorage(config);
    const contents = await targetContents(database.pool, storage, config.DATA_DIR);
    if (contents.length) throw new BackupError(`the target is not empty, so nothing was restored: ${contents.join("; ")}. Restore into a new database and an empty data folder.`);
    const rows = manifest.tables.reduce((sum, t) => sum + t.rows, 0);
    const target = new URL(url);
    console.log(`Backup of ${manifest.createdAt}: ${rows} rows in ${manifest.tables.length} tables, ${manifest.files.length} files (checksums verified).`);
    console.log(`Target: database ${target.pathname.slice(1)} on ${target.hostname}:${target.port || 5432}, files in ${path.resolve(config.DATA_DIR)} (${storage.kind}).`);
    if (!(await confirm("Restore it there? [y/N] "))) {
      console.log("Nothing restored.");
      process.exitCode = 1;
    } else {
      const result = await restoreBackup({ pool: database.pool, storage, dataDir: config.DATA_DIR, backup });
      const keys = result.manifest.files.filter((f) => f.kind === "key" && !result.keptKeys.includes(f.name)).map((f) => f.name);
      console.log(`Restored ${result.rows} rows and ${result.files} files (documents and logos)${keys.length ? `, and ${keys.join(", ")}` : ""}.`);
      for (const key of result.keptKeys) console.log(`  kept the existing ${key} in ${path.resolve(config.DATA_DIR)} (the backup's copy was not written)`);
    }
  } finally {
    await database.close();
    await stop?.();
  }
} catch (error) {
  if (error instanceof BackupError || error instanceof StartupError) console.error(`Restore refused: ${error.message}`);
  else console.error("Restore failed:", error instanceof Error ? error.message : String(error));
  process.exit(1);
}
