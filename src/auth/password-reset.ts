// "Forgot password" by email (only when SMTP is configured): a single-use link that expires after 30 minutes. The
// token is random (256 bits) and only its SHA-256 is stored; asking answers the same whether the email exists or not.
import { createHash, randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { Db } from "../db/client.ts";
import type { RequestContext } from "../access/roles.ts";
import { eventFacts, recordAudit } from "../audit/service.ts";
import { ConflictError, ValidationError } from "../errors.ts";
import type { Mailer } from "../notifications/mail.ts";
import { hashPassword, passwordWeakness } from "./passwords.ts";
import { endSessionsOf } from "./sessions.ts";
import type { LoginThrottle } from "./throttle.ts";
import { normaliseEmail } from "./accounts.ts";

export const RESET_LINK_MINUTES = 30;
export const RESET_LINK_INVALID = "This password reset link has expired or has already been used. Ask for a new one.";

export function hashResetToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export interface ResetDeps {
  db: Db;
  mailer: Mailer;
  appUrl: string;
  /** Emails per address per window, so the form cannot be used to flood someone's inbox. */
  throttle: LoginThrottle;
  logger: Pick<Logger, "error">;
}

/**
 * Sends a reset link to an active account with this email, if there is one. The caller answers the same in every
 * case and does not wait for this (the database work and the email would otherwise tell by their time).
 */
export async function requestPasswordReset(deps: ResetDeps, rawEmail: string, context: RequestContext): Promise<void> {
  const email = normaliseEmail(rawEmail);
  const user = await deps.db.user.findUnique({ where: { email }, select: { id: true, email: true, name: true, active: true } });
  if (!user || !user.active) {
    await recordAudit(deps.db, { actorLabel: email, action: "auth.password_reset_requested", changes: eventFacts({ sent: false }), context });
    return;
  }
  const allowed = await deps.throttle.reserve(email);
  if (!allowed.allowed) {
    await recordAudit(deps.db, { actorId: user.id, actorLabel: email, action: "auth.password_reset_requested", entityType: "user", entityId: user.id, changes: eventFacts({ sent: false, reason: "too many requests" }), context });
    return;
  }
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + RESET_LINK_MINUTES * 60_000);
  await deps.db.$transaction(async (tx) => {
    // A new link replaces any earlier one still unused.
    await tx.passwordResetToken.deleteMany({ where: { userId: user.id, usedAt: null } });
    await tx.passwordResetToken.create({ data: { userId: user.id, tokenHash: hashResetToken(token), expiresAt } });
    await recordAudit(tx, { actorId: user.id, actorLabel: email, action: "auth.password_reset_requested", entityType: "user", entityId: user.id, changes: eventFacts({ sent: true, expiresAt: expiresAt.toISOString() }), context });
  });
  const link = `${deps.appUrl}/login/reset/${token}`;
  await deps.mailer.send({
    to: user.email,
    subject: "Reset your Clientdesk password",
    text: [
      `Hello ${user.name},`,
      "",
      "Someone (hopefully you) asked to reset the password of your Clientdesk account.",
      `Open this link within ${RESET_LINK_MINUTES} minutes to choose a new password. It works once.`,
      "",
      link,
      "",
      "If you did not ask for this, ignore this email: your password stays as it is.",
    ].join("\n"),
  });
}

/** The account a link is for, while it is unused and unexpired. */
export async function validResetToken(db: Db, token: string): Promise<{ userId: string; email: string; name: string } | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const row = await db.passwordResetToken.findUnique({ where: { tokenHash: hashResetToken(token) }, include: { user: { select: { id: true, email: true, name: true, active: true } } } });
  if (!row || row.usedAt || row.expiresAt.getTime() <= Date.now() || !row.user.active) return null;
  return { userId: row.user.id, email: row.user.email, name: row.user.name };
}

/** Sets the new password through a link: the link is spent in the same transaction, every session of the user ends. */
export async function resetPasswordWithToken(db: Db, token: string, input: { newPassword: string; confirmPassword: string }, context: RequestContext) {
  const account = await validResetToken(db, token);
  if (!account) throw new ConflictError(RESET_LINK_INVALID);
  const fields: Record<string, string> = {};
  const weakness = passwordWeakness(input.newPassword, [account.email, account.name]);
  if (weakness) fields.newPassword = weakness;
  if (input.confirmPassword !== input.newPassword) fields.confirmPassword = "The two new passwords do not match.";
  if (Object.keys(fields).length) throw new ValidationError(fields);
  const passwordHash = await hashPassword(input.newPassword);
  await db.$transaction(async (tx) => {
    const spent = await tx.$queryRaw<{ user_id: string }[]>`
      UPDATE password_reset_tokens SET used_at = now()
      WHERE token_hash = ${hashResetToken(token)} AND used_at IS NULL AND expires_at > now()
      RETURNING user_id`;
    if (spent.length !== 1 || spent[0]!.user_id !== account.userId) throw new ConflictError(RESET_LINK_INVALID);
    await tx.user.update({ where: { id: account.userId }, data: { passwordHash, mustChangePassword: false, failedLoginCount: 0, lockedUntil: null } });
    await tx.passwordResetToken.deleteMany({ where: { userId: account.userId, usedAt: null } });
    const ended = await endSessionsOf(tx, account.userId);
    await recordAudit(tx, {
      actorId: account.userId,
      actorLabel: account.email,
      action: "auth.password_reset_by_email",
      entityType: "user",
      entityId: account.userId,
      changes: { passwordReset: { before: null, after: true }, sessionsEnded: { before: null, after: ended } },
      context,
    });
  });
}
