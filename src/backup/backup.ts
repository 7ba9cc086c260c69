// `npm run backup`: every table COPied out inside ONE repeatable-read, read-only transaction (one snapshot: no row
// of a half-finished change, every foreign key satisfied), then the files that snapshot's records name (document
// versions through the storage backend, client logos) and the key files of the data folder, into one timestamped
// folder with a manifest. The folder is written under a `.partial` name and renamed once complete.
import { createWriteStream } from "node:fs";
import { copyFile, mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import type pg from "pg";
import { KEY_FILE_NAME } from "../auth/two-factor-crypto.ts";
import { to as copyTo } from "pg-copy-streams";
import type { DocumentStorage } from "../documents/storage.ts";
import { Measure } from "../documents/storage.ts";
import { BackupError, FORMAT, FORMAT_VERSION, MANIFEST_FILE, sha256OfFile, type FileEntry, type Manifest, type SequenceEntry, type TableEntry } from "./manifest.ts";
import { columnList, ownedSequences, quoteIdent, tablesToCopy } from "./tables.ts";

/** Files of the data folder that are keys, kept with the backup: the sessions' secret, and the key of the two-factor
 * secrets (without it no enrolled user could sign in after a restore). */
export const KEY_FILES = ["session-secret", KEY_FILE_NAME] as const;

export interface BackupOptions {
  pool: pg.Pool;
  storage: DocumentStorage;
  /** DATA_DIR: logos under uploads/logos, key files at its top. */
  dataDir: string;
  /** The folder that receives the backup's own folder. */
  backupDir: string;
  now?: Date;
}

export interface BackupResult {
  dir: string;
  manifest: Manifest;
}

/** The default BACKUP_DIR: `backups` in the data folder. */
export function defaultBackupDir(dataDir: string): string {
  return path.resolve(dataDir, "backups");
}

function folderName(now: Date): string {
  return `clientdesk-${now.toISOString().replace(/\.\d+Z$/, "Z").replace(/:/g, "-")}`;
}

export async function createBackup(options: BackupOptions): Promise<BackupResult> {
  const now = options.now ?? new Date();
  await mkdir(options.backupDir, { recursive: true, mode: 0o700 });
  let name = folderName(now);
  for (let n = 2; await exists(path.join(options.backupDir, name)); n++) name = `${folderName(now)}-${n}`;
  const final = path.join(options.backupDir, name);
  const partial = `${final}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(path.join(partial, "db"), { recursive: true, mode: 0o700 });
  try {
    const snapshot = await dumpDatabase(options.pool, partial);
    const { files, missingFiles } = await copyFiles(options, partial, snapshot.documentKeys, snapshot.logoFiles);
    const manifest: Manifest = {
      format: FORMAT,
      formatVersion: FORMAT_VERSION,
      createdAt: now.toISOString(),
      snapshot: { isolation: "repeatable read", readOnly: true, serverVersion: snapshot.serverVersion },
      schema: { migrations: snapshot.migrations, latestMigration: snapshot.migrations.at(-1) ?? null },
      storageBackend: options.storage.kind,
      tables: snapshot.tables,
      sequences: snapshot.sequences,
      files,
      missingFiles,
    };
    await writeFile(path.join(partial, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + "\n", { mode: 0o600 });
    await rename(partial, final);
    return { dir: final, manifest };
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
}

interface Snapshot {
  serverVersion: string;
  migrations: string[];
  tables: TableEntry[];
  sequences: SequenceEntry[];
  documentKeys: string[];
  logoFiles: string[];
}

async function dumpDatabase(pool: pg.Pool, dir: string): Promise<Snapshot> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const serverVersion = (await client.query<{ server_version: string }>("SHOW server_version")).rows[0]!.server_version;
    const schema = await client.query<{ found: boolean }>(`SELECT to_regclass('public._prisma_migrations') IS NOT NULL AS found`);
    if (!schema.rows[0]!.found) throw new BackupError("this database has no Clientdesk schema (no _prisma_migrations table): check DATABASE_URL, or start the app once");
    const migrations = (
      await client.query<{ migration_name: string }>(
        `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
      )
    ).rows.map((r) => r.migration_name);
    const tables: TableEntry[] = [];
    for (const table of await tablesToCopy(client)) {
      const file = `db/${table.name}.copy.gz`;
      const measure = new Measure();
      const stream = client.query(copyTo(`COPY ${quoteIdent(table.name)} (${columnList(table.columns)}) TO STDOUT`));
      try {
        await pipeline(stream, createGzip(), measure, createWriteStream(path.join(dir, file), { flags: "wx", mode: 0o600 }));
      } catch (error) {
        broken = true;
        throw error;
      }
      tables.push({ name: table.name, columns: table.columns, rows: stream.rowCount, file, sha256: measure.digest() });
    }
    const sequences: SequenceEntry[] = [];
    for (const seq of await ownedSequences(client)) {
      const { rows } = await client.query<{ last_value: string; is_called: boolean }>(`SELECT last_value::text, is_called FROM ${quoteIdent(seq.name)}`);
      sequences.push({ ...seq, lastValue: rows[0]!.last_value, isCalled: rows[0]!.is_called });
    }
    const documentKeys = (await client.query<{ key: string }>(`SELECT storage_key AS key FROM document_versions ORDER BY storage_key`)).rows.map((r) => r.key);
    const logoFiles = (await client.query<{ file: string }>(`SELECT DISTINCT logo_file AS file FROM clients WHERE logo_file IS NOT NULL ORDER BY logo_file`)).rows.map((r) => r.file);
    await client.query("COMMIT");
    return { serverVersion, migrations, tables, sequences, documentKeys, logoFiles };
  } catch (error) {
    if (!broken) await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release(broken);
  }
}

async function copyFiles(options: BackupOptions, dir: string, documentKeys: string[], logoFiles: string[]) {
  const files: FileEntry[] = [];
  const missingFiles: Manifest["missingFiles"] = [];
  for (const key of documentKeys) {
    const body = await options.storage.get(key);
    if (!body) {
      missingFiles.push({ kind: "document", name: key });
      continue;
    }
    const file = `files/${key}`;
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true, mode: 0o700 });
    const measure = new Measure();
    await pipeline(body, measure, createWriteStream(path.join(dir, file), { flags: "wx", mode: 0o600 }));
    files.push({ kind: "document", name: key, file, size: measure.byteCount, sha256: measure.digest() });
  }
  const logoDir = path.resolve(options.dataDir, "uploads", "logos");
  for (const logo of logoFiles) {
    if (!/^[0-9a-f-]{36}$/.test(logo)) throw new BackupError(`a client's logo file has an unexpected name: ${logo}`);
    if (!(await exists(path.join(logoDir, logo)))) {
      missingFiles.push({ kind: "logo", name: logo });
      continue;
    }
    files.push(await copyInto(path.join(logoDir, logo), dir, `files/logos/${logo}`, "logo", logo));
  }
  for (const key of KEY_FILES) {
    const source = path.resolve(options.dataDir, key);
    if (await exists(source)) files.push(await copyInto(source, dir, `files/keys/${key}`, "key", key));
  }
  return { files, missingFiles };
}

async function copyInto(source: string, dir: string, file: string, kind: FileEntry["kind"], name: string): Promise<FileEntry> {
  const target = path.join(dir, file);
  await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
  await copyFile(source, target);
  const { sha256, size } = await sha256OfFile(target);
  return { kind, name, file, size, sha256 };
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}
