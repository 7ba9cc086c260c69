// The database a process runs on: DATABASE_URL when given, else the embedded PostgreSQL in DATA_DIR.
import path from "node:path";
import type { Logger } from "pino";
import type { Config } from "../config.ts";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "./embedded.ts";

export async function resolveDatabaseUrl(config: Config, logger: Logger): Promise<{ url: string; embedded?: EmbeddedDatabase }> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL };
  const dir = path.resolve(config.DATA_DIR, "postgres");
  logger.info({ dir, port: config.EMBEDDED_PG_PORT }, "no DATABASE_URL: starting the embedded PostgreSQL");
  const embedded = await startEmbeddedPostgres({ dir, port: config.EMBEDDED_PG_PORT, log: (line) => logger.debug({ postgres: line }) });
  return { url: embedded.socketUrl, embedded };
}
