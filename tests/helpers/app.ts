// Builds the real app on a real database of its own, for HTTP tests with supertest.
import { pino } from "pino";
import { loadConfig, type Config } from "../../src/config.ts";
import { connectDatabase, type Database } from "../../src/db/client.ts";
import { createApp } from "../../src/app.ts";
import { createTestDatabaseUrl } from "./db.ts";

export interface TestApp {
  app: ReturnType<typeof createApp>["app"];
  database: Database;
  db: Database["prisma"];
  config: Config;
  url: string;
  /** Another app process on the same database (a restart, or a second server behind a load balancer). */
  restart(): TestApp;
  close(): Promise<void>;
}

export const TEST_SESSION_SECRET = "test-session-secret-of-sufficient-length";

export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const url = await createTestDatabaseUrl();
  const build = (): TestApp => {
    const config = loadConfig({ NODE_ENV: "test", LOG_LEVEL: "silent", ...env });
    const database = connectDatabase(url, { max: 5 });
    const { app } = createApp({ config, database, sessionSecret: TEST_SESSION_SECRET, logger: pino({ level: "silent" }) });
    return { app, database, db: database.prisma, config, url, restart: build, close: () => database.close() };
  };
  return build();
}
