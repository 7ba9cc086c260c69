// `npm run restore -- <backup>`: checks the whole backup against its manifest, refuses a target that holds records
// (database or files), migrates the empty database with the project's migrator, writes the files back, then COPies
// every table in ONE transaction, parents first, with the tables' own triggers off (the derived tables they keep,
// client_status_counts and case_access, come back from the same snapshot as the rows they derive from; the append-only
// guards would refuse nothing here but stay out of the way), sequences set past the restored rows.
import { createReadStream } from "node:fs";
import { constants } from "node:fs";
import { copyFile, mkdir, readdir, readFile, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { applyMigrations, MIGRATIONS_DIR } from "../db/migrate.ts";
import { EXTRACT_TEXT } from "../documents/jobs.ts";
import type { DocumentStorage } from "../documents/storage.ts";
import { KEY_FILES } from "./backup.ts";
import { BackupError, readManifest, verifyBackup, type Manifest } from "./manifest.ts";
import { BOOKKEEPING_TABLES, columnList, foreignKeysBetween, quoteIdent, SEEDED_TABLES, TRANSIENT_TABLES } from "./tables.ts";

export interface RestoreOptions {
  pool: pg.Pool;
  storage: DocumentStorage;
  dataDir: string;
  /** The backup's own folder (the one holding manifest.json). */
  backup: string;
  migrationsDir?: string;
}

export interface RestoreResult {
  manifest: Manifest;
  rows: number;
  files: number;
  /** Key files left as they were because the data folder already had one. */
  keptKeys: string[];
}

/** Reads and checks a backup without touching anything: its manifest, or a BackupError naming every problem. */
export async function checkBackup(backup: string): Promise<Manifest> {
  const manifest = await readManifest(backup);
  const problems = await verifyBackup(backup, manifest);
  if (problems.length) throw new BackupError(`the backup in ${backup} is damaged:\n  ${problems.join("\n  ")}`);
  return manifest;
}

/** Why the target is not empty (tables with rows, stored files), or nothing when it is. */
export async function targetContents(pool: pg.Pool, storage: DocumentStorage, dataDir: string): Promise<string[]> {
  const found: string[] = [];
  const ignored = new Set<string>([...BOOKKEEPING_TABLES, ...TRANSIENT_TABLES, ...SEEDED_TABLES]);
  const { rows: tables } = await pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1`,
  );
  for (const { name } of tables) {
    if (ignored.has(name)) continue;
    const { rows } = await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM (SELECT 1 FROM ${quoteIdent(name)} LIMIT 1000) t`);
    if (rows[0]!.n !== "0") found.push(`table ${name} has ${rows[0]!.n === "1000" ? "1000 or more" : rows[0]!.n} row${rows[0]!.n === "1" ? "" : "s"}`);
  }
  for await (const object of storage.list()) {
    found.push(`the document storage holds files (${object.key}, …)`);
    break;
  }
  const logos = await readdir(path.resolve(dataDir, "uploads", "logos")).catch(() => [] as string[]);
  if (logos.length) found.push(`${path.resolve(dataDir, "uploads", "logos")} holds ${logos.length} file${logos.length === 1 ? "" : "s"}`);
  return found;
}

export async function restoreBackup(options: RestoreOptions): Promise<RestoreResult> {
  const manifest = await checkBackup(options.backup);
  const migrationsDir = options.migrationsDir ?? MIGRATIONS_DIR;
  const known = (await readdir(migrationsDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const missing = manifest.schema.migrations.filter((m) => !known.includes(m));
  const newer = known.filter((m) => !manifest.schema.migrations.includes(m));
  if (missing.length || newer.length) {
    throw new BackupError(
      `this backup was made by another version of Clientdesk (schema ${manifest.schema.latestMigration ?? "none"}; this version's is ${known.at(-1) ?? "none"}). ` +
        `Restore it with the version that made it, then start the newer version to upgrade.` +
        (missing.length ? ` Migrations unknown here: ${missing.join(", ")}.` : "") +
        (newer.length ? ` Migrations the backup lacks: ${newer.join(", ")}.` : ""),
    );
  }
  const contents = await targetContents(options.pool, options.storage, options.dataDir);
  if (contents.length) {
    throw new BackupError(`the target is not empty, so nothing was restored: ${contents.join("; ")}. Restore into a new database and an empty data folder.`);
  }

  await applyMigrations(options.pool, migrationsDir);
  const written: Written = { documents: [], files: [] };
  try {
    const files = await restoreFiles(options, manifest, written);
    const keptKeys = await restoreKeys(options, manifest, written);
    const rows = await restoreTables(options.pool, options.backup, manifest);
    await requeueTextExtraction(options.pool);
    return { manifest, rows, files, keptKeys };
  } catch (error) {
    // The database part rolled back whole; the files written before it go too, so the target is empty again and the
    // restore can simply be run again.
    for (const key of written.documents) await options.storage.delete(key).catch(() => undefined);
    for (const file of written.files) await unlink(file).catch(() => undefined);
    throw error;
  }
}

/** What a restore has written so far, to take back if it fails. */
interface Written {
  documents: string[];
  files: string[];
}

async function restoreFiles(options: RestoreOptions, manifest: Manifest, written: Written): Promise<number> {
  let count = 0;
  const logoDir = path.resolve(options.dataDir, "uploads", "logos");
  for (const entry of manifest.files) {
    const source = path.join(options.backup, entry.file);
    if (entry.kind === "document") {
      const stored = await options.storage.put(entry.name, createReadStream(source));
      written.documents.push(entry.name);
      if (stored.sha256 !== entry.sha256) throw new BackupError(`document file ${entry.name} was not stored intact`);
      count++;
    } else if (entry.kind === "logo") {
      if (!/^[0-9a-f-]{36}$/.test(entry.name)) throw new BackupError(`unexpected logo file name in the backup: ${entry.name}`);
      await mkdir(logoDir, { recursive: true, mode: 0o700 });
      await copyFile(source, path.join(logoDir, entry.name), constants.COPYFILE_EXCL);
      written.files.push(path.join(logoDir, entry.name));
      count++;
    }
  }
  return count;
}

async function restoreKeys(options: RestoreOptions, manifest: Manifest, written: Written): Promise<string[]> {
  const kept: string[] = [];
  for (const entry of manifest.files.filter((f) => f.kind === "key")) {
    if (!(KEY_FILES as readonly string[]).includes(entry.name)) throw new BackupError(`unexpected key file name in the backup: ${entry.name}`);
    const target = path.resolve(options.dataDir, entry.name);
    if (await stat(target).then(() => true, () => false)) {
      kept.push(entry.name);
      continue;
    }
    await mkdir(path.resolve(options.dataDir), { recursive: true });
    await writeFile(target, await readFile(path.join(options.backup, entry.file)), { mode: 0o600, flag: "wx" });
    written.files.push(target);
  }
  return kept;
}

async function restoreTables(pool: pg.Pool, backup: string, manifest: Manifest): Promise<number> {
  const client = await pool.connect();
  let broken = false;
  let rows = 0;
  try {
    await client.query("BEGIN");
    const names = manifest.tables.map((t) => quoteIdent(t.name));
    for (const name of names) await client.query(`ALTER TABLE ${name} DISABLE TRIGGER USER`);
    // Foreign keys form cycles (a case type and its default template): set aside while copying, then added back,
    // which checks every restored row against them. All in this transaction: nothing is left without them.
    const foreignKeys = await foreignKeysBetween(client, manifest.tables.map((t) => t.name));
    for (const fk of foreignKeys) await client.query(`ALTER TABLE ${quoteIdent(fk.table)} DROP CONSTRAINT ${quoteIdent(fk.name)}`);
    // The migrations' own rows (default document types) give way to the backup's.
    for (const seeded of SEEDED_TABLES) if (manifest.tables.some((t) => t.name === seeded)) await client.query(`DELETE FROM ${quoteIdent(seeded)}`);
    for (const table of manifest.tables) {
      const stream = client.query(copyFrom(`COPY ${quoteIdent(table.name)} (${columnList(table.columns)}) FROM STDIN`));
      try {
        await pipeline(createReadStream(path.join(backup, table.file)), createGunzip(), stream);
      } catch (error) {
        broken = true;
        throw new BackupError(`restoring table ${table.name} failed: ${(error as Error).message}`);
      }
      if (stream.rowCount !== table.rows) throw new BackupError(`table ${table.name}: ${stream.rowCount} rows restored, the manifest says ${table.rows}`);
      rows += stream.rowCount;
    }
    for (const seq of manifest.sequences) {
      await client.query(
        `SELECT setval($1::regclass, GREATEST($2::bigint, m), $3 OR m > $2::bigint) FROM (SELECT COALESCE(max(${quoteIdent(seq.column)}), 0)::bigint AS m FROM ${quoteIdent(seq.table)}) x`,
        [quoteIdent(seq.name), seq.lastValue, seq.isCalled],
      );
    }
    for (const fk of foreignKeys) await client.query(`ALTER TABLE ${quoteIdent(fk.table)} ADD CONSTRAINT ${quoteIdent(fk.name)} ${fk.definition}`);
    for (const name of names) await client.query(`ALTER TABLE ${name} ENABLE TRIGGER USER`);
    await client.query("COMMIT");
    return rows;
  } catch (error) {
    if (!broken) await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release(broken);
  }
}

/** Text extraction jobs waiting in the old install are not in the backup (the queue is not a record): queue them again. */
async function requeueTextExtraction(pool: pg.Pool): Promise<void> {
  await pool.query(
    `SELECT graphile_worker.add_job($1, json_build_object('documentId', d.id::text, 'versionId', v.id::text), max_attempts => 5, job_key => 'extract:' || d.id::text)
       FROM documents d JOIN document_versions v ON v.document_id = d.id AND v.number = d.version_count
      WHERE d.text_status = 'pending'`,
    [EXTRACT_TEXT],
  );
}
