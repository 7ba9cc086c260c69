// Quarterly feedback reminders: once a quarter has ended, the account manager of each active client without feedback
// for it gets an in-app notification, and an email when SMTP is configured. Idempotent: each reminder has a dedupe
// key (quarter and client) that a unique index holds, so running the job again in the quarter notifies nobody twice;
// emails go out once per notification (claimed by setting emailed_at before sending, released if sending fails).
// Run by the app process's hourly timer (startReminderTimer) and by `npm run feedback:remind`.
import type { Logger } from "pino";
import type { Db } from "../db/client.ts";
import { notify } from "../notifications/service.ts";
import type { Mailer } from "../notifications/mail.ts";
import { clientsDueForReminder } from "./queries.ts";
import { periodCode, periodEnd, periodLabel, previousQuarter } from "./periods.ts";

export const REMINDER_KIND = "feedback_reminder";

export interface ReminderRun {
  quarter: string;
  notified: number;
  emailed: number;
  emailFailures: number;
}

export async function sendQuarterlyReminders(db: Db, options: { now?: Date; mailer?: Mailer | null; appUrl?: string; logger?: Logger } = {}): Promise<ReminderRun> {
  const quarter = previousQuarter(options.now ?? new Date());
  const code = periodCode(quarter);
  const label = periodLabel(quarter);
  const prefix = `feedback-reminder:${code}:`;
  const due = await clientsDueForReminder(db, { start: quarter.start, end: periodEnd(quarter) });
  const written = await notify(
    db,
    due.map((d) => ({
      userId: d.accountManagerId,
      kind: REMINDER_KIND,
      title: `Feedback due for ${d.clientName}`,
      body: `No feedback was recorded for ${d.clientName} for ${label}.`,
      link: `/clients/${d.clientId}/feedback/new?period=${code}`,
      clientId: d.clientId,
      dedupeKey: `${prefix}${d.clientId}`,
    })),
  );
  const { emailed, failures } = options.mailer ? await emailReminders(db, options.mailer, prefix, label, options.appUrl ?? "", options.logger) : { emailed: 0, failures: 0 };
  return { quarter: code, notified: written.length, emailed, emailFailures: failures };
}

/** One email per account manager, listing the clients of this quarter's reminders not emailed yet. */
async function emailReminders(db: Db, mailer: Mailer, prefix: string, label: string, appUrl: string, logger?: Logger): Promise<{ emailed: number; failures: number }> {
  const pending = await db.notification.findMany({
    where: { kind: REMINDER_KIND, dedupeKey: { startsWith: prefix }, emailedAt: null, user: { active: true } },
    select: { id: true, title: true, link: true, user: { select: { id: true, email: true, name: true } } },
    orderBy: [{ userId: "asc" }, { title: "asc" }],
  });
  const byUser = new Map<string, typeof pending>();
  for (const n of pending) byUser.set(n.user.id, [...(byUser.get(n.user.id) ?? []), n]);
  let emailed = 0;
  let failures = 0;
  for (const notices of byUser.values()) {
    const ids = notices.map((n) => n.id);
    // Claim first: another process running the job at the same time sends none of these.
    const claimed = await db.notification.updateMany({ where: { id: { in: ids }, emailedAt: null }, data: { emailedAt: new Date() } });
    if (claimed.count !== ids.length) continue;
    const user = notices[0]!.user;
    const lines = notices.map((n) => `- ${n.title.replace(/^Feedback due for /, "")}: ${appUrl}${n.link ?? ""}`);
    try {
      await mailer.send({
        to: user.email,
        subject: `Feedback due for ${notices.length} client${notices.length === 1 ? "" : "s"} (${label})`,
        text: `Hello ${user.name},\n\nNo feedback was recorded for ${label} for these clients you manage:\n\n${lines.join("\n")}\n\nClientdesk\n`,
      });
      emailed += 1;
    } catch (error) {
      failures += 1;
      logger?.warn({ err: error, userId: user.id }, "feedback reminder email failed; it will be retried");
      await db.notification.updateMany({ where: { id: { in: ids } }, data: { emailedAt: null } });
    }
  }
  return { emailed, failures };
}

/** The app process's hourly check; returns a function that stops it. */
export function startReminderTimer(db: Db, options: { mailer: Mailer | null; appUrl: string; logger: Logger; everyMs?: number }): () => void {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      const result = await sendQuarterlyReminders(db, { mailer: options.mailer, appUrl: options.appUrl, logger: options.logger });
      if (result.notified || result.emailed || result.emailFailures) options.logger.info(result, "quarterly feedback reminders");
    } catch (error) {
      options.logger.error({ err: error }, "quarterly feedback reminders failed; retrying in an hour");
    } finally {
      running = false;
    }
  };
  const first = setTimeout(run, 10_000);
  const timer = setInterval(run, options.everyMs ?? 60 * 60 * 1000);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
