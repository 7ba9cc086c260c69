// Background work on documents, queued in PostgreSQL with graphile-worker: a job is added in the same transaction as
// the version it concerns (so a rolled-back upload queues nothing) and run by a worker inside the app process.
import type pg from "pg";
import type { Logger as PinoLogger } from "pino";
import type { Logger, Runner, Task } from "graphile-worker";
import type { Tx } from "../db/client.ts";
import type { DocumentStorage } from "./storage.ts";
import { extractDocumentText, readAll } from "./extraction.ts";

export const EXTRACT_TEXT = "extract_document_text";

/** Queues text extraction of a document's new current version; a newer version's job replaces a waiting one. */
export async function enqueueTextExtraction(tx: Tx, documentId: string, versionId: string): Promise<void> {
  await tx.$executeRaw`SELECT graphile_worker.add_job(${EXTRACT_TEXT}, json_build_object('documentId', ${documentId}::text, 'versionId', ${versionId}::text),
    max_attempts => 5, job_key => ${`extract:${documentId}`})`;
}

// graphile-worker is loaded when first needed, keeping its load time off every module that imports this one.
const worker = () => import("graphile-worker");

/** Creates or upgrades the graphile_worker schema (run at start-up, after the app's migrations). */
export async function installJobQueue(pool: pg.Pool): Promise<void> {
  const { runMigrations } = await worker();
  await runMigrations({ pgPool: pool, logger: await quietLogger() });
}

async function quietLogger(): Promise<Logger> {
  const { Logger } = await worker();
  return new Logger(() => () => undefined);
}

async function loggerFor(logger: PinoLogger): Promise<Logger> {
  const { Logger } = await worker();
  return new Logger((scope) => (level, message, meta) => {
    const method = level === "error" ? "error" : level === "warning" ? "warn" : level === "info" ? "info" : "debug";
    logger[method]({ worker: scope, ...meta }, message);
  });
}

export interface DocumentJobContext {
  pool: pg.Pool;
  storage: DocumentStorage;
  maxBytes: number;
}

/** Extracts the text of the version named in the payload, if it is still the document's current version. */
export function extractTextTask(context: DocumentJobContext): Task {
  return async (payload) => {
    const { documentId, versionId } = payload as { documentId: string; versionId: string };
    const { rows } = await context.pool.query<{ storage_key: string; content_type: string; number: number; current: number }>(
      `SELECT v.storage_key, v.content_type, v.number, d.version_count AS current
         FROM document_versions v JOIN documents d ON d.id = v.document_id WHERE v.id = $1 AND d.id = $2`,
      [versionId, documentId],
    );
    const version = rows[0];
    if (!version || version.number !== version.current) return; // replaced by a newer version since
    const stream = await context.storage.get(version.storage_key);
    if (!stream) throw new Error(`stored file missing for version ${versionId}`);
    let text: string | undefined;
    let status = "done";
    try {
      text = await extractDocumentText(await readAll(stream, context.maxBytes), version.content_type);
    } catch {
      status = "failed"; // a damaged or truncated file: searchable by title and name only, not retried
    }
    await context.pool.query(
      `UPDATE documents SET content_text = $3, text_status = $4 WHERE id = $1 AND version_count = $2`,
      [documentId, version.number, text ?? null, status],
    );
  };
}

/** Starts the worker in this process; stop it with `runner.stop()`. */
export async function startDocumentWorker(context: DocumentJobContext, logger: PinoLogger): Promise<Runner> {
  const { run } = await worker();
  return run({
    pgPool: context.pool,
    concurrency: 1,
    noHandleSignals: true,
    pollInterval: 2000,
    logger: await loggerFor(logger),
    crontab: "", // no scheduled jobs: do not look for a crontab file
    taskList: { [EXTRACT_TEXT]: extractTextTask(context) },
  });
}

/** Runs every job waiting now, then returns (tests and the cleanup command). */
export async function runDocumentJobsOnce(context: DocumentJobContext): Promise<void> {
  const { runOnce } = await worker();
  await runOnce({ pgPool: context.pool, logger: await quietLogger(), taskList: { [EXTRACT_TEXT]: extractTextTask(context) } });
}
