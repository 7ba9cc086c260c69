// `npm run backup`: one consistent, timestamped backup of the database and the stored files into BACKUP_DIR (default
// DATA_DIR/backups). Works beside the running app: with the embedded PostgreSQL it connects to the app's server.
// Same configuration as the server (DATABASE_URL or the embedded PostgreSQL, DATA_DIR, STORAGE_BACKEND). See docs/backups.md.
import path from "node:path";
import { loadConfig } from "../src/config.ts";
import { connectDatabase } from "../src/db/client.ts";
import { embeddedOptions } from "../src/db/database.ts";
import { runningEmbeddedUrl, startEmbeddedPostgres, StartupError } from "../src/db/embedded.ts";
import { createDocumentStorage } from "../src/documents/backend.ts";
import { createBackup, defaultBackupDir } from "../src/backup/backup.ts";
import { BackupError } from "../src/backup/manifest.ts";

try {
  const config = loadConfig();
  const backupDir = path.resolve(process.env.BACKUP_DIR?.trim() || defaultBackupDir(config.DATA_DIR));
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
    const started = Date.now();
    const { dir, manifest } = await createBackup({ pool: database.pool, storage: createDocumentStorage(config), dataDir: config.DATA_DIR, backupDir });
    const rows = manifest.tables.reduce((sum, t) => sum + t.rows, 0);
    console.log(`Backup written to ${dir}`);
    console.log(`  ${manifest.tables.length} tables, ${rows} rows (schema ${manifest.schema.latestMigration}); ${manifest.files.length} files; ${((Date.now() - started) / 1000).toFixed(1)} s`);
    for (const gone of manifest.missingFiles) console.log(`  note: ${gone.kind} ${gone.name} was deleted while the backup ran and is not in it`);
  } finally {
    await database.close();
    await stop?.();
  }
} catch (error) {
  if (error instanceof BackupError || error instanceof StartupError) console.error(`Backup failed: ${error.message}`);
  else console.error("Backup failed:", error instanceof Error ? error.message : String(error));
  process.exit(1);
}
