// Orphan files: objects in storage that no document version points to. An upload writes its file before the row
// that records it commits, so a crash in between leaves one; this finds and removes them. Objects younger than the
// grace period are left alone: their upload may still be committing.
import type pg from "pg";
import type { DocumentStorage } from "./storage.ts";

export interface CleanupResult {
  checked: number;
  removed: string[];
}

export async function removeOrphanFiles(pool: pg.Pool, storage: DocumentStorage, options: { graceMinutes: number; dryRun?: boolean }): Promise<CleanupResult> {
  const cutoff = Date.now() - options.graceMinutes * 60_000;
  const removed: string[] = [];
  let checked = 0;
  let batch: string[] = [];
  const flush = async () => {
    if (!batch.length) return;
    const keys = batch.map((k) => k.replace(/\.partial$/, ""));
    const { rows } = await pool.query<{ storage_key: string }>(`SELECT storage_key FROM document_versions WHERE storage_key = ANY($1::text[])`, [keys]);
    const known = new Set(rows.map((r) => r.storage_key));
    for (const key of batch) {
      // A partial file is never referenced, whatever its key: the rename into place is what completes a write.
      if (key.endsWith(".partial") || !known.has(key)) {
        if (!options.dryRun) await storage.delete(key);
        removed.push(key);
      }
    }
    batch = [];
  };
  for await (const object of storage.list()) {
    checked += 1;
    if (object.modifiedAt.getTime() > cutoff) continue;
    batch.push(object.key);
    if (batch.length >= 500) await flush();
  }
  await flush();
  return { checked, removed };
}
