// Signing in and changing one's own password: the rules, in the firm's words, with their audit entries.
import type { Db } from "../db/client.ts";
import type { Config } from "../config.ts";
import type { CurrentUser, RequestContext } from "../access/roles.ts";
import { eventFacts, recordAudit } from "../audit/service.ts";
import { ValidationError } from "../errors.ts";
import { decoyPasswordHash, hashPassword, passwordWeakness, verifyPassword } from "./passwords.ts";
import type { LoginThrottle } from "./throttle.ts";
import { endSessionsOf } from "./sessions.ts";
import { completeLogin, secondFactorNeeded } from "./two-factor.ts";

export const LOGIN_FAILED_MESSAGE = "That email and password do not match an active account.";

/** `secondFactor`: the password was right, but signing in waits for a code ("code") or for enrolment ("enrol"). */
export type LoginResult = { ok: true; user: CurrentUser; secondFactor?: "code" | "enrol" } | { ok: false; message: string };

export const currentUserSelect = {
  id: true,
  email: true,
  name: true,
  role: true,
  relationshipTeam: true,
  legalTeam: true,
  viewConfidential: true,
  department: true,
  mustChangePassword: true,
} as const;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function minutes(seconds: number) {
  const m = Math.max(1, Math.ceil(seconds / 60));
  return `${m} minute${m === 1 ? "" : "s"}`;
}

export const lockedMessage = (seconds: number) =>
  `Too many failed attempts for this account. Try again in ${minutes(seconds)}, or ask an administrator to reset your password.`;

export interface LoginDeps {
  db: Db;
  config: Pick<Config, "LOGIN_MAX_FAILURES" | "LOGIN_LOCK_MINUTES">;
  ipThrottle: LoginThrottle;
  unknownEmailThrottle: LoginThrottle;
}

export async function attemptLogin(deps: LoginDeps, rawEmail: string, password: string, context: RequestContext): Promise<LoginResult> {
  const { db, config } = deps;
  const email = normaliseEmail(rawEmail);
  const ip = context.ip ?? "unknown";
  const fromIp = await deps.ipThrottle.reserve(ip);
  if (!fromIp.allowed) {
    await recordAudit(db, { actorLabel: email, action: "auth.login_throttled", entityType: "ip", entityId: ip, context });
    return { ok: false, message: `Too many failed sign-in attempts from your network. Try again in ${minutes(fromIp.waitSeconds)}.` };
  }
  const lockSeconds = config.LOGIN_LOCK_MINUTES * 60;

  const user = await db.user.findUnique({ where: { email } });
  if (!user) {
    await verifyPassword(await decoyPasswordHash(), password); // same time as a real check
    const forEmail = await deps.unknownEmailThrottle.reserve(email);
    if (!forEmail.allowed) {
      await recordAudit(db, { actorLabel: email, action: "auth.login_locked", context });
      return { ok: false, message: lockedMessage(forEmail.waitSeconds) };
    }
    await recordAudit(db, { actorLabel: email, action: "auth.login_failed", changes: { reason: { before: null, after: "unknown email" } }, context });
    // The failure that reaches the limit answers "locked", as it does for a real account (no enumeration).
    return { ok: false, message: forEmail.remaining === 0 ? lockedMessage(lockSeconds) : LOGIN_FAILED_MESSAGE };
  }

  // Take this attempt's slot before checking the password: parallel guesses each take one, so at most
  // LOGIN_MAX_FAILURES passwords are ever checked per lock period, however many arrive at once.
  const slot = await takeGuessSlot(db, user.id, config);
  if ("lockedUntil" in slot) {
    await recordAudit(db, { actorId: user.id, actorLabel: email, action: "auth.login_locked", entityType: "user", entityId: user.id, context });
    return { ok: false, message: lockedMessage((slot.lockedUntil.getTime() - Date.now()) / 1000) };
  }
  const failures = slot.failures;

  const passwordMatches = await verifyPassword(user.passwordHash, password);
  if (!passwordMatches) {
    const locks = failures >= config.LOGIN_MAX_FAILURES;
    await db.$transaction(async (tx) => {
      const lockedUntil = locks ? new Date(Date.now() + lockSeconds * 1000) : null;
      if (locks) await tx.user.update({ where: { id: user.id }, data: { failedLoginCount: 0, lockedUntil } });
      await recordAudit(tx, {
        actorId: user.id,
        actorLabel: email,
        action: locks ? "auth.account_locked" : "auth.login_failed",
        entityType: "user",
        entityId: user.id,
        changes: { failedLoginCount: { before: failures - 1, after: failures }, ...(locks ? { lockedUntil: { before: null, after: lockedUntil!.toISOString() } } : {}) },
        context,
      });
    });
    return { ok: false, message: locks ? lockedMessage(lockSeconds) : LOGIN_FAILED_MESSAGE };
  }

  // The right password: this attempt does not count against the account or the address.
  await deps.ipThrottle.release(ip);
  if (!user.active) {
    await db.user.update({ where: { id: user.id }, data: { failedLoginCount: 0 } });
    await recordAudit(db, { actorId: user.id, actorLabel: email, action: "auth.login_refused_inactive", entityType: "user", entityId: user.id, context });
    return { ok: false, message: "Your account has been deactivated. Ask an administrator if you need access again." };
  }

  const secondFactor = await secondFactorNeeded(db, user);
  if (secondFactor) {
    // Half way: this attempt's slot is given back, but earlier failures stay counted, so that code guesses and
    // password guesses share one allowance (a right password does not buy more code guesses).
    const pending = await db.$transaction(async (tx) => {
      const updated = await tx.user.update({ where: { id: user.id }, data: { failedLoginCount: { decrement: 1 } }, select: currentUserSelect });
      await recordAudit(tx, { actorId: user.id, actorLabel: email, action: "auth.password_accepted", entityType: "user", entityId: user.id, changes: eventFacts({ next: secondFactor }), context });
      return updated;
    });
    return { ok: true, user: pending, secondFactor };
  }
  return { ok: true, user: await completeLogin(db, user.id, email, context) };
}

export async function recordLogout(db: Db, user: CurrentUser, context: RequestContext) {
  await recordAudit(db, { actorId: user.id, actorLabel: user.email, action: "auth.logout", entityType: "user", entityId: user.id, context });
}

export interface PasswordChange {
  currentPassword: string;
  newPassword: string;
  confirmPassword: string;
}

/**
 * Changes the signed-in user's own password; the current one is required. The user's other sessions end (a stolen
 * session does not outlive the password change); `sessionId` is the one making the change, which stays.
 */
export async function changeOwnPassword(db: Db, actor: CurrentUser, input: PasswordChange, context: RequestContext, sessionId?: string): Promise<CurrentUser> {
  const user = await db.user.findUniqueOrThrow({ where: { id: actor.id } });
  const fields: Record<string, string> = {};
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) fields.currentPassword = "Your current password is not correct.";
  const weakness = passwordWeakness(input.newPassword, [user.email, user.name]);
  if (weakness) fields.newPassword = weakness;
  else if (input.newPassword === input.currentPassword) fields.newPassword = "Choose a password different from the current one.";
  if (input.confirmPassword !== input.newPassword) fields.confirmPassword = "The two new passwords do not match.";
  if (Object.keys(fields).length) throw new ValidationError(fields);
  const passwordHash = await hashPassword(input.newPassword);
  return db.$transaction(async (tx) => {
    const updated = await tx.user.update({ where: { id: user.id }, data: { passwordHash, mustChangePassword: false }, select: currentUserSelect });
    const ended = await endSessionsOf(tx, user.id, sessionId);
    await recordAudit(tx, {
      actorId: user.id,
      action: "auth.password_changed",
      entityType: "user",
      entityId: user.id,
      changes: {
        ...(user.mustChangePassword ? { mustChangePassword: { before: true, after: false } } : {}),
        otherSessionsEnded: { before: null, after: ended },
      },
      context,
    });
    return updated;
  });
}

/**
 * Takes one guess's slot (a password or a second-factor code) before checking it: parallel guesses each take one, so
 * at most LOGIN_MAX_FAILURES are ever checked per lock period, however many arrive at once. `failures`: check this
 * guess, the failures so far counting it. `lockedUntil`: the account is locked, or this guess is beyond the allowance
 * in a burst: it is refused unchecked, and the lock is set if it was not yet.
 */
export async function takeGuessSlot(
  db: Db,
  userId: string,
  config: Pick<Config, "LOGIN_LOCK_MINUTES" | "LOGIN_MAX_FAILURES">,
): Promise<{ failures: number } | { lockedUntil: Date }> {
  const [slot] = await db.$queryRaw<{ failed_login_count: number }[]>`
    UPDATE users SET failed_login_count = failed_login_count + 1
    WHERE id = ${userId}::uuid AND (locked_until IS NULL OR locked_until <= now())
    RETURNING failed_login_count`;
  if (slot && slot.failed_login_count <= config.LOGIN_MAX_FAILURES) return { failures: slot.failed_login_count };
  const [lock] = await db.$queryRaw<{ locked_until: Date }[]>`
    UPDATE users SET locked_until = CASE WHEN locked_until > now() THEN locked_until ELSE now() + make_interval(secs => ${config.LOGIN_LOCK_MINUTES * 60}) END,
                     failed_login_count = 0
    WHERE id = ${userId}::uuid RETURNING locked_until`;
  return { lockedUntil: lock!.locked_until };
}
