// Start-up: configuration, database (embedded or DATABASE_URL), migrations, first admin, HTTP server; clean stop on Ctrl-C.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { loadConfig, type Config } from "./config.ts";
import { resolveDatabaseUrl } from "./db/database.ts";
import { StartupError } from "./db/embedded.ts";
import { connectDatabase } from "./db/client.ts";
import { applyMigrations } from "./db/migrate.ts";
import { ensureFirstAdmin } from "./auth/users-service.ts";
import { createApp } from "./app.ts";
import { startDocumentWorker } from "./documents/jobs.ts";
import { startReminderTimer } from "./feedback/reminders.ts";
import { appUrlOf, createMailer } from "./notifications/mail.ts";
import { startDigestTimer } from "./communications/digest.ts";
import { startAttentionSnapshotTimer } from "./dashboard/attention-history.ts";

/** SESSION_SECRET, or one generated once and kept in DATA_DIR so sessions survive a restart. */
async function sessionSecret(config: Config): Promise<string> {
  if (config.SESSION_SECRET) return config.SESSION_SECRET;
  const file = path.resolve(config.DATA_DIR, "session-secret");
  try {
    return (await readFile(file, "utf8")).trim();
  } catch {
    await mkdir(config.DATA_DIR, { recursive: true });
    const secret = randomBytes(32).toString("base64url");
    await writeFile(file, secret + "\n", { mode: 0o600 });
    return secret;
  }
}

/** Waits for `work`, at most `seconds`; calls `late` if it had to stop waiting. */
async function withinSeconds(seconds: number, work: Promise<unknown> | undefined, late: () => void): Promise<void> {
  if (!work) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), seconds * 1000)));
  const outcome = await Promise.race([work.then(() => "done" as const, () => "done" as const), timeout]);
  clearTimeout(timer);
  if (outcome === "late") late();
}

/** Stops the embedded database if start-up fails after starting it, so no orphan server holds the port. */
let stopEmbedded: (() => Promise<void>) | undefined;

async function main() {
  const config = loadConfig();
  const logger = pino({ level: config.LOG_LEVEL, base: { app: "clientdesk" } });
  const { url, embedded } = await resolveDatabaseUrl(config, logger);
  stopEmbedded = embedded ? () => embedded.stop() : undefined;
  const database = connectDatabase(url);
  const applied = await applyMigrations(database.pool);
  if (applied.length) logger.info({ applied }, "migrations applied");

  const first = await ensureFirstAdmin(database.prisma, { email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD, name: config.ADMIN_NAME });
  const { app, storage } = createApp({ config, database, sessionSecret: await sessionSecret(config), logger });
  const worker = config.DOCUMENT_WORKER
    ? await startDocumentWorker({ pool: database.pool, storage, maxBytes: Math.round(config.DOCUMENT_MAX_MB * 1024 * 1024) }, logger)
    : undefined;
  const server = app.listen(config.PORT, config.HOST);
  await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
  const { port } = server.address() as AddressInfo;
  const loginUrl = `http://${config.HOST === "0.0.0.0" ? "localhost" : config.HOST}:${port}/login`;
  logger.info({ url: loginUrl, database: embedded ? "embedded" : "DATABASE_URL" }, "Clientdesk is listening");
  const stopDigest =
    config.FOLLOWUP_DIGEST_HOUR === ""
      ? () => undefined
      : startDigestTimer(database.prisma, { smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, baseUrl: appUrlOf(config) }, config.FOLLOWUP_DIGEST_HOUR, (error) => logger.error({ err: error }, "follow-up digest failed"));
  if (first.created) {
    const lines = [
      "",
      "  Clientdesk: first administrator created",
      `  Sign in at ${loginUrl}`,
      `  Email:     ${first.email}`,
      first.password ? `  Password:  ${first.password}` : "  Password:  the ADMIN_PASSWORD you set",
      first.password ? "  This password is shown only once; you will choose a new one at first sign-in." : "",
      "",
    ];
    process.stdout.write(lines.join("\n") + "\n");
  }

  const mailer = createMailer(config);
  const stopReminders = config.FEEDBACK_REMINDERS ? startReminderTimer(database.prisma, { mailer, appUrl: appUrlOf(config), logger }) : () => undefined;
  const stopAttentionSnapshots = startAttentionSnapshotTimer(database.prisma, logger);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    stopDigest();
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeIdleConnections();
    const force = setTimeout(() => server.closeAllConnections(), 5_000);
    await closed;
    clearTimeout(force);
    // A worker still connecting, or a pool client it holds, must not keep the process from stopping.
    await withinSeconds(5, worker?.stop(), () => logger.warn("the document worker did not stop within 5 s"));
    stopReminders();
    stopAttentionSnapshots();
    mailer?.close();
    await withinSeconds(5, database.close(), () => logger.warn("database connections did not close within 5 s"));
    await embedded?.stop();
    logger.info("stopped cleanly");
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch(async (error: unknown) => {
  // A start-up failure is said in words (what is wrong, what to do), never as a stack trace.
  if (error instanceof StartupError) {
    console.error(`Clientdesk could not start: ${error.message}\n  What to do: ${error.hint}`);
  } else {
    console.error("Clientdesk could not start:", error instanceof Error ? error.message : String(error));
    const cause = error instanceof Error ? error.cause : undefined;
    if (cause) console.error("  cause:", cause instanceof Error ? cause.message : String(cause));
  }
  await stopEmbedded?.().catch(() => undefined);
  process.exit(1);
});
