// The manifest of a backup folder (manifest.json): what it holds, how many rows, and the SHA-256 of every file in it,
// so a restore checks the whole backup before it touches anything.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { Writable } from "node:stream";

export const MANIFEST_FILE = "manifest.json";
export const FORMAT = "clientdesk-backup";
export const FORMAT_VERSION = 1;

export interface TableEntry {
  name: string;
  columns: string[];
  rows: number;
  /** Path inside the backup folder: COPY text format, gzipped. */
  file: string;
  sha256: string;
}

export interface SequenceEntry {
  name: string;
  table: string;
  column: string;
  /** The value the next call of nextval must exceed. */
  lastValue: string;
  isCalled: boolean;
}

export type FileKind = "document" | "logo" | "key";

export interface FileEntry {
  kind: FileKind;
  /** The storage key (documents), the stored file name (logos) or the name in the data folder (keys). */
  name: string;
  /** Path inside the backup folder. */
  file: string;
  size: number;
  sha256: string;
}

export interface Manifest {
  format: typeof FORMAT;
  formatVersion: number;
  createdAt: string;
  /** How the tables were read: one snapshot for all of them. */
  snapshot: { isolation: "repeatable read"; readOnly: true; serverVersion: string };
  schema: { migrations: string[]; latestMigration: string | null };
  storageBackend: "disk" | "s3";
  tables: TableEntry[];
  sequences: SequenceEntry[];
  files: FileEntry[];
  /** Files the snapshot's records named that were gone when copied (deleted since): listed, not fatal. */
  missingFiles: { kind: FileKind; name: string }[];
}

export async function sha256OfFile(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  await pipeline(
    createReadStream(file),
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        size += chunk.length;
        done();
      },
    }),
  );
  return { sha256: hash.digest("hex"), size };
}

/** Reads a backup's manifest; an error naming the folder when it is not a complete Clientdesk backup. */
export async function readManifest(dir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(path.join(dir, MANIFEST_FILE), "utf8");
  } catch {
    throw new BackupError(`${dir} is not a Clientdesk backup: it has no ${MANIFEST_FILE} (an interrupted backup never gets one)`);
  }
  const manifest = JSON.parse(text) as Manifest;
  if (manifest.format !== FORMAT || manifest.formatVersion !== FORMAT_VERSION) {
    throw new BackupError(`${dir} is not a backup this version of Clientdesk can read (format ${String(manifest.format)} ${String(manifest.formatVersion)})`);
  }
  return manifest;
}

/** Every table dump and stored file checked against the manifest; the problems found (none: intact). */
export async function verifyBackup(dir: string, manifest: Manifest): Promise<string[]> {
  const problems: string[] = [];
  const entries = [...manifest.tables.map((t) => ({ what: `table ${t.name}`, file: t.file, sha256: t.sha256 })), ...manifest.files.map((f) => ({ what: `${f.kind} ${f.name}`, file: f.file, sha256: f.sha256 }))];
  for (const entry of entries) {
    const full = path.resolve(dir, entry.file);
    if (!full.startsWith(path.resolve(dir) + path.sep)) {
      problems.push(`${entry.what}: path ${entry.file} leaves the backup folder`);
      continue;
    }
    const measured = await sha256OfFile(full).catch(() => undefined);
    if (!measured) problems.push(`${entry.what}: ${entry.file} is missing`);
    else if (measured.sha256 !== entry.sha256) problems.push(`${entry.what}: ${entry.file} does not match its checksum`);
  }
  return problems;
}

/** A refusal or failure said in words (the scripts print it without a stack trace). */
export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BackupError";
  }
}
