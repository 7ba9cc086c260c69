// Sends today's overdue follow-ups digest now (once per day: a second run reports it was already sent):
//   npm run followups:digest
import { loadConfig } from "../src/config.ts";
import { startEmbeddedPostgres } from "../src/db/embedded.ts";
import { embeddedOptions } from "../src/db/database.ts";
import { connectDatabase } from "../src/db/client.ts";
import { applyMigrations } from "../src/db/migrate.ts";
import { runDailyDigest } from "../src/communications/digest.ts";

const config = loadConfig();
const embedded = config.DATABASE_URL ? undefined : await startEmbeddedPostgres({ ...embeddedOptions(config), log: (line) => console.error(line) });
const database = connectDatabase(config.DATABASE_URL ?? embedded!.url, { max: 2 });
try {
  await applyMigrations(database.pool);
  const result = await runDailyDigest(database.prisma, { smtpUrl: config.SMTP_URL, from: config.MAIL_FROM });
  if (result.alreadySent) console.log(`The digest for ${result.day} was already sent (${result.overdue} overdue, ${result.emailsSent} e-mails).`);
  else console.log(`Digest for ${result.day}: ${result.overdue} overdue follow-ups, ${result.emailsSent} e-mails sent${config.SMTP_URL ? "" : " (SMTP_URL not set: shown in the app only)"}.`);
} finally {
  await database.close();
  await embedded?.stop();
}
