// Runs the quarterly feedback reminders once (the app's hourly timer runs the same job): `npm run feedback:remind`.
// Uses DATABASE_URL, or the embedded PostgreSQL in DATA_DIR; emails when SMTP_URL is set. Safe to run any number of
// times: each client's reminder for a quarter is written and emailed once.
import path from "node:path";
import { pino } from "pino";
import { loadConfig } from "../src/config.ts";
import { connectDatabase } from "../src/db/client.ts";
import { startEmbeddedPostgres } from "../src/db/embedded.ts";
import { applyMigrations } from "../src/db/migrate.ts";
import { sendQuarterlyReminders } from "../src/feedback/reminders.ts";
import { appUrlOf, createMailer } from "../src/notifications/mail.ts";

const config = loadConfig();
const logger = pino({ level: config.LOG_LEVEL });
const embedded = config.DATABASE_URL ? undefined : await startEmbeddedPostgres({ dir: path.resolve(config.DATA_DIR, "postgres"), port: config.EMBEDDED_PG_PORT });
const database = connectDatabase(config.DATABASE_URL ?? embedded!.url, { max: 2 });
const mailer = createMailer(config);
let code = 0;
try {
  await applyMigrations(database.pool);
  const result = await sendQuarterlyReminders(database.prisma, { mailer, appUrl: appUrlOf(config), logger });
  console.log(`Feedback reminders for ${result.quarter}: ${result.notified} notification(s) written, ${result.emailed} email(s) sent${result.emailFailures ? `, ${result.emailFailures} failed (retried next run)` : ""}.`);
} catch (error) {
  console.error("Feedback reminders failed:", error instanceof Error ? error.message : error);
  code = 1;
} finally {
  mailer?.close();
  await database.close();
  await embedded?.stop();
}
process.exit(code);
