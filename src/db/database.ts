// The database a process runs on: DATABASE_URL when given, else the embedded PostgreSQL in DATA_DIR.
import path from "node:path";
import type { Logger } from "pino";
import type { Config } from "../config.ts";
import { startEmbeddedPostgres, type EmbeddedDatabase, type EmbeddedOptions } from "./embedded.ts";

type EmbeddedSettings = Pick<Config, "DATA_DIR" | "EMBEDDED_PG_PORT" | "EMBEDDED_PG_DIR" | "EMBEDDED_PG_RUNTIME_DIR">;

/** Where and how the embedded PostgreSQL runs, from the configuration (the app, the migration and Prisma scripts). */
export function embeddedOptions(config: EmbeddedSettings): EmbeddedOptions {
  return {
    dir: path.resolve(config.EMBEDDED_PG_DIR ?? path.join(config.DATA_DIR, "postgres")),
    fixedDir: config.EMBEDDED_PG_DIR !== undefined,
    port: config.EMBEDDED_PG_PORT,
    runtimeDir: config.EMBEDDED_PG_RUNTIME_DIR,
  };
}

export async function resolveDatabaseUrl(config: Config, logger: Logger): Promise<{ url: string; embedded?: EmbeddedDatabase }> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL };
  const options = embeddedOptions(config);
  logger.info({ port: options.port }, "no DATABASE_URL: starting the embedded PostgreSQL");
  const embedded = await startEmbeddedPostgres({ ...options, log: (line) => logger.info(line) });
  logger.info({ dir: embedded.dir, port: options.port }, `embedded PostgreSQL running, data in ${embedded.dir} (set EMBEDDED_PG_DIR to move it)`);
  return { url: embedded.socketUrl, embedded };
}
