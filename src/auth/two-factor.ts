// Two-factor sign-in (TOTP, RFC 6238) and its recovery codes: enrolment, the code step of signing in (under the same
// throttling and lockout as passwords), turning it off, the firm's policy, and an administrator's reset.
import { createHash, randomBytes } from "node:crypto";
import { generateSecret, generateURI, verify } from "otplib";
import QRCode from "qrcode";
import type { Db, Tx } from "../db/client.ts";
import type { Config } from "../config.ts";
import type { Actor, CurrentUser, RequestContext } from "../access/roles.ts";
import { assertCan } from "../access/permissions.ts";
import { eventFacts, recordAudit } from "../audit/service.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { isUuid } from "../web/fields.ts";
import { verifyPassword } from "./passwords.ts";
import { endSessionsOf } from "./sessions.ts";
import type { LoginThrottle } from "./throttle.ts";
import type { SecretBox } from "./two-factor-crypto.ts";
import { currentUserSelect, lockedMessage, minutes, takeGuessSlot } from "./accounts.ts";

export const ISSUER = "Clientdesk";
export const TOTP_PERIOD = 30;
/** Codes of the step before and after the current one are accepted (clock drift), nothing older. */
const TOLERANCE_SECONDS = TOTP_PERIOD;
export const RECOVERY_CODE_COUNT = 10;

export const TWO_FACTOR_POLICIES = ["off", "admins", "everyone"] as const;
export type TwoFactorPolicy = (typeof TWO_FACTOR_POLICIES)[number];

export type Box = SecretBox;

export async function twoFactorPolicy(db: Db | Tx): Promise<TwoFactorPolicy> {
  const row = await db.securitySettings.findUnique({ where: { id: 1 } });
  const value = row?.twoFactorRequired;
  return (TWO_FACTOR_POLICIES as readonly string[]).includes(value ?? "") ? (value as TwoFactorPolicy) : "off";
}

export function policyApplies(policy: TwoFactorPolicy, user: Pick<CurrentUser, "role">): boolean {
  return policy === "everyone" || (policy === "admins" && user.role === "admin");
}

/** What signing in needs after the right password: a code, enrolment (required but not set up), or nothing. */
export async function secondFactorNeeded(db: Db, user: Pick<CurrentUser, "id" | "role">): Promise<"code" | "enrol" | null> {
  const row = await db.userTwoFactor.findUnique({ where: { userId: user.id }, select: { enabledAt: true } });
  if (row?.enabledAt) return "code";
  return policyApplies(await twoFactorPolicy(db), user) ? "enrol" : null;
}

export interface TwoFactorStatus {
  enabled: boolean;
  enabledAt: Date | null;
  recoveryCodesLeft: number;
  required: boolean;
}

export async function twoFactorStatus(db: Db, user: Pick<CurrentUser, "id" | "role">): Promise<TwoFactorStatus> {
  const [row, left, policy] = await Promise.all([
    db.userTwoFactor.findUnique({ where: { userId: user.id } }),
    db.twoFactorRecoveryCode.count({ where: { userId: user.id, usedAt: null } }),
    twoFactorPolicy(db),
  ]);
  return { enabled: Boolean(row?.enabledAt), enabledAt: row?.enabledAt ?? null, recoveryCodesLeft: row?.enabledAt ? left : 0, required: policyApplies(policy, user) };
}

/** Another user's enrolment as an administrator's user page shows it: enabled since when, or started and unconfirmed. */
export async function enrolmentOf(db: Db, userId: string): Promise<{ enabledAt: Date | null; pending: boolean }> {
  const row = await db.userTwoFactor.findUnique({ where: { userId }, select: { enabledAt: true } });
  return { enabledAt: row?.enabledAt ?? null, pending: Boolean(row && !row.enabledAt) };
}

/** The active user a sign-in in progress (password given, second step pending) belongs to. */
export function pendingSignInUser(db: Db, userId: string): Promise<{ id: string; email: string; role: CurrentUser["role"] } | null> {
  return db.user.findFirst({ where: { id: userId, active: true }, select: { id: true, email: true, role: true } });
}

// ---- recovery codes ----

const CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"; // no 0/o, 1/l/i
function randomRecoveryCode(): string {
  const bytes = randomBytes(10);
  const chars = Array.from(bytes, (b) => CODE_ALPHABET[b % CODE_ALPHABET.length]!).join("");
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/** Recovery codes are random (about 49 bits each) and single-use: a SHA-256 of the normalised code is enough to store. */
export function hashRecoveryCode(code: string): string {
  return createHash("sha256").update(code.toLowerCase().replace(/[^a-z0-9]/g, "")).digest("hex");
}

async function replaceRecoveryCodes(tx: Tx, userId: string): Promise<string[]> {
  const codes = new Set<string>();
  while (codes.size < RECOVERY_CODE_COUNT) codes.add(randomRecoveryCode());
  await tx.twoFactorRecoveryCode.deleteMany({ where: { userId } });
  await tx.twoFactorRecoveryCode.createMany({ data: [...codes].map((code) => ({ userId, codeHash: hashRecoveryCode(code) })) });
  return [...codes];
}

// ---- enrolment ----

export interface Enrolment {
  secret: string;
  uri: string;
  qrSvg: string;
}

/** The secret to enrol with: the pending one if enrolment was started and not finished, else a new one. */
export async function startEnrolment(db: Db, box: Box, user: Pick<CurrentUser, "id" | "email">): Promise<Enrolment> {
  const existing = await db.userTwoFactor.findUnique({ where: { userId: user.id } });
  if (existing?.enabledAt) throw new ConflictError("Two-factor sign-in is already on for your account.");
  let secret: string;
  if (existing) secret = box.openFor(user.id, existing.secretEncrypted);
  else {
    secret = generateSecret({ length: 20 });
    await db.userTwoFactor.upsert({
      where: { userId: user.id },
      create: { userId: user.id, secretEncrypted: box.sealFor(user.id, secret) },
      update: {},
    });
    // Two tabs at once: keep whichever secret was stored first.
    const stored = await db.userTwoFactor.findUniqueOrThrow({ where: { userId: user.id } });
    secret = box.openFor(user.id, stored.secretEncrypted);
  }
  const uri = generateURI({ issuer: ISSUER, label: user.email, secret, period: TOTP_PERIOD });
  const qrSvg = await QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
  return { secret, uri, qrSvg };
}

/** The time step a code matches (current, one before or one after), or null. */
async function matchingStep(secret: string, code: string): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const epoch = Math.floor(Date.now() / 1000);
  const result = await verify({ secret, token: code, epoch, epochTolerance: TOLERANCE_SECONDS, period: TOTP_PERIOD });
  if (!result.valid) return null;
  // The TOTP result carries the matched step; the union type (HOTP too) does not say so.
  return "timeStep" in result && typeof result.timeStep === "number" ? result.timeStep : Math.floor(epoch / TOTP_PERIOD) + result.delta;
}

export const WRONG_CODE = "That code is not correct. Enter the 6-digit code your authenticator app shows now.";

/** Confirms enrolment with a first code; turns two-factor on and returns the recovery codes (shown once). */
export async function confirmEnrolment(db: Db, box: Box, user: Pick<CurrentUser, "id" | "email">, rawCode: string, context: RequestContext): Promise<string[]> {
  const code = rawCode.replace(/\s+/g, "");
  const pending = await db.userTwoFactor.findUnique({ where: { userId: user.id } });
  if (!pending) throw new ConflictError("Start enrolment again: no secret is waiting for confirmation.");
  if (pending.enabledAt) throw new ConflictError("Two-factor sign-in is already on for your account.");
  const step = await matchingStep(box.openFor(user.id, pending.secretEncrypted), code);
  if (step === null) throw new ValidationError({ code: WRONG_CODE });
  return db.$transaction(async (tx) => {
    const updated = await tx.userTwoFactor.updateMany({ where: { userId: user.id, enabledAt: null }, data: { enabledAt: new Date(), lastUsedStep: BigInt(step) } });
    if (updated.count !== 1) throw new ConflictError("Two-factor sign-in is already on for your account.");
    const codes = await replaceRecoveryCodes(tx, user.id);
    await recordAudit(tx, {
      actorId: user.id,
      action: "two_factor.enable",
      entityType: "user",
      entityId: user.id,
      changes: { twoFactor: { before: false, after: true }, recoveryCodes: { before: null, after: RECOVERY_CODE_COUNT } },
      context,
    });
    return codes;
  });
}

// ---- checking a code ----

type CodeCheck = { ok: true; method: "totp" | "recovery_code" } | { ok: false; reused?: boolean };

/** Checks a TOTP code (refusing one of a step already used) or spends a recovery code. */
async function checkCode(db: Db, box: Box, userId: string, rawCode: string): Promise<CodeCheck> {
  const code = rawCode.trim().replace(/\s+/g, "");
  const row = await db.userTwoFactor.findUnique({ where: { userId } });
  if (!row?.enabledAt) return { ok: false };
  if (/^\d{6}$/.test(code)) {
    const step = await matchingStep(box.openFor(userId, row.secretEncrypted), code);
    if (step === null) return { ok: false };
    // Only a later step than the last accepted one, set atomically: two requests with the same code, one wins.
    const taken = await db.$executeRaw`
      UPDATE user_two_factor SET last_used_step = ${BigInt(step)}
      WHERE user_id = ${userId}::uuid AND enabled_at IS NOT NULL AND (last_used_step IS NULL OR last_used_step < ${BigInt(step)})`;
    return taken === 1 ? { ok: true, method: "totp" } : { ok: false, reused: true };
  }
  if (code.length < 8 || code.length > 20) return { ok: false };
  const spent = await db.$executeRaw`
    UPDATE two_factor_recovery_codes SET used_at = now()
    WHERE user_id = ${userId}::uuid AND code_hash = ${hashRecoveryCode(code)} AND used_at IS NULL`;
  return spent === 1 ? { ok: true, method: "recovery_code" } : { ok: false };
}

export interface CodeStepDeps {
  db: Db;
  box: Box;
  config: Pick<Config, "LOGIN_MAX_FAILURES" | "LOGIN_LOCK_MINUTES">;
  ipThrottle: LoginThrottle;
}

export type CodeStepResult = { ok: true; user: CurrentUser; recoveryCodesLeft?: number } | { ok: false; message: string; ended: boolean };

export const CODE_FAILED_MESSAGE = "That code is not correct. Enter the current code from your authenticator app, or one of your recovery codes.";
export const CODE_REUSED_MESSAGE = "That code was already used. Wait for your authenticator app to show the next one.";

/**
 * The code step of signing in, for a user whose password was right moments ago. Each attempt takes a slot from the
 * address's allowance and from the account's failure count before the code is checked, exactly as a password does:
 * wrong codes lock the account after LOGIN_MAX_FAILURES, and the right one then is refused too.
 */
export async function attemptCode(deps: CodeStepDeps, userId: string, code: string, context: RequestContext): Promise<CodeStepResult> {
  const { db, config } = deps;
  const user = await db.user.findUnique({ where: { id: userId } });
  if (!user || !user.active) return { ok: false, message: "Sign in again.", ended: true };
  const ip = context.ip ?? "unknown";
  const fromIp = await deps.ipThrottle.reserve(ip);
  if (!fromIp.allowed) {
    await recordAudit(db, { actorLabel: user.email, action: "auth.login_throttled", entityType: "ip", entityId: ip, context });
    return { ok: false, message: `Too many failed sign-in attempts from your network. Try again in ${minutes(fromIp.waitSeconds)}.`, ended: false };
  }
  const lockSeconds = config.LOGIN_LOCK_MINUTES * 60;
  const slot = await takeGuessSlot(db, user.id, config);
  if ("lockedUntil" in slot) {
    await recordAudit(db, { actorId: user.id, actorLabel: user.email, action: "auth.login_locked", entityType: "user", entityId: user.id, changes: eventFacts({ step: "code" }), context });
    return { ok: false, message: lockedMessage((slot.lockedUntil.getTime() - Date.now()) / 1000), ended: true };
  }
  const failures = slot.failures;
  const check = await checkCode(db, deps.box, user.id, code);
  if (!check.ok) {
    const locks = failures >= config.LOGIN_MAX_FAILURES;
    await db.$transaction(async (tx) => {
      const lockedUntil = locks ? new Date(Date.now() + lockSeconds * 1000) : null;
      if (locks) await tx.user.update({ where: { id: user.id }, data: { failedLoginCount: 0, lockedUntil } });
      await recordAudit(tx, {
        actorId: user.id,
        actorLabel: user.email,
        action: locks ? "auth.account_locked" : "auth.two_factor_failed",
        entityType: "user",
        entityId: user.id,
        changes: {
          failedLoginCount: { before: failures - 1, after: failures },
          step: { before: null, after: check.reused ? "code reused" : "wrong code" },
          ...(locks ? { lockedUntil: { before: null, after: lockedUntil!.toISOString() } } : {}),
        },
        context,
      });
    });
    if (locks) return { ok: false, message: lockedMessage(lockSeconds), ended: true };
    return { ok: false, message: check.reused ? CODE_REUSED_MESSAGE : CODE_FAILED_MESSAGE, ended: false };
  }
  await deps.ipThrottle.release(ip);
  const signedIn = await completeLogin(db, user.id, user.email, context, check.method);
  if (check.method === "recovery_code") {
    const left = await db.twoFactorRecoveryCode.count({ where: { userId: user.id, usedAt: null } });
    return { ok: true, user: signedIn, recoveryCodesLeft: left };
  }
  return { ok: true, user: signedIn };
}

/** The end of a successful sign-in: counters cleared, last sign-in stamped, audited (with the second factor used, if any). */
export async function completeLogin(db: Db, userId: string, email: string, context: RequestContext, secondFactor?: string): Promise<CurrentUser> {
  return db.$transaction(async (tx) => {
    const updated = await tx.user.update({
      where: { id: userId },
      data: { failedLoginCount: 0, lockedUntil: null, lastLoginAt: new Date() },
      select: currentUserSelect,
    });
    await recordAudit(tx, {
      actorId: userId,
      actorLabel: email,
      action: "auth.login",
      entityType: "user",
      entityId: userId,
      ...(secondFactor ? { changes: eventFacts({ secondFactor }) } : {}),
      context,
    });
    return updated;
  });
}

// ---- changing one's own second factor ----

async function assertPassword(db: Db, userId: string, password: string) {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId } });
  if (!(await verifyPassword(user.passwordHash, password))) throw new ValidationError({ password: "Your password is not correct." });
}

/** Turns two-factor off: the password and a current code (or a recovery code) are required; refused under the policy. */
export async function disableTwoFactor(db: Db, box: Box, actor: Actor, input: { password: string; code: string }) {
  const fields: Record<string, string> = {};
  const user = await db.user.findUniqueOrThrow({ where: { id: actor.id } });
  if (policyApplies(await twoFactorPolicy(db), user)) throw new ConflictError("Your firm requires two-factor sign-in for your account: it cannot be turned off.");
  if (!(await verifyPassword(user.passwordHash, input.password))) fields.password = "Your password is not correct.";
  else {
    const check = await checkCode(db, box, actor.id, input.code);
    if (!check.ok) fields.code = check.reused ? CODE_REUSED_MESSAGE : CODE_FAILED_MESSAGE;
  }
  if (Object.keys(fields).length) throw new ValidationError(fields);
  await db.$transaction(async (tx) => {
    await tx.twoFactorRecoveryCode.deleteMany({ where: { userId: actor.id } });
    await tx.userTwoFactor.deleteMany({ where: { userId: actor.id } });
    await recordAudit(tx, { actorId: actor.id, action: "two_factor.disable", entityType: "user", entityId: actor.id, changes: { twoFactor: { before: true, after: false } }, context: actor.context });
  });
}

/** New recovery codes replace every old one (used or not); the password is required. */
export async function regenerateRecoveryCodes(db: Db, actor: Actor, password: string): Promise<string[]> {
  await assertPassword(db, actor.id, password);
  return db.$transaction(async (tx) => {
    const row = await tx.userTwoFactor.findUnique({ where: { userId: actor.id } });
    if (!row?.enabledAt) throw new ConflictError("Turn two-factor sign-in on first.");
    const codes = await replaceRecoveryCodes(tx, actor.id);
    await recordAudit(tx, { actorId: actor.id, action: "two_factor.recovery_codes_regenerated", entityType: "user", entityId: actor.id, changes: eventFacts({ recoveryCodes: RECOVERY_CODE_COUNT }), context: actor.context });
    return codes;
  });
}

// ---- administration ----

/** An administrator removes a user's second factor (a lost phone): their sessions end; under the policy they enrol again at next sign-in. */
export async function resetTwoFactor(db: Db, actor: Actor, userId: string): Promise<boolean> {
  assertCan(actor, "users.manage");
  if (!isUuid(userId)) throw new NotFoundError();
  return db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true } });
    if (!user) throw new NotFoundError();
    const row = await tx.userTwoFactor.findUnique({ where: { userId } });
    if (!row) return false;
    await tx.twoFactorRecoveryCode.deleteMany({ where: { userId } });
    await tx.userTwoFactor.delete({ where: { userId } });
    const ended = await endSessionsOf(tx, userId);
    await recordAudit(tx, {
      actorId: actor.id,
      action: "user.reset_two_factor",
      entityType: "user",
      entityId: userId,
      changes: { twoFactor: { before: row.enabledAt ? true : "pending", after: false }, sessionsEnded: { before: null, after: ended } },
      context: actor.context,
    });
    return true;
  });
}

export async function setTwoFactorPolicy(db: Db, actor: Actor, policy: TwoFactorPolicy) {
  assertCan(actor, "security.manage");
  await db.$transaction(async (tx) => {
    const [before] = await tx.$queryRaw<{ two_factor_required: string }[]>`SELECT two_factor_required FROM security_settings WHERE id = 1 FOR UPDATE`;
    const was = before?.two_factor_required ?? "off";
    if (was === policy) return;
    await tx.securitySettings.upsert({ where: { id: 1 }, create: { id: 1, twoFactorRequired: policy, updatedById: actor.id }, update: { twoFactorRequired: policy, updatedById: actor.id } });
    await recordAudit(tx, { actorId: actor.id, action: "security.two_factor_policy", entityType: "security_settings", entityId: "1", changes: { twoFactorRequired: { before: was, after: policy } }, context: actor.context });
  });
}

/** Users the policy covers who have not enrolled, for the security page. */
export async function usersWithoutTwoFactor(db: Db, actor: Actor, policy: TwoFactorPolicy) {
  assertCan(actor, "security.manage");
  if (policy === "off") return [];
  return db.user.findMany({
    where: { active: true, ...(policy === "admins" ? { role: "admin" as const } : {}), OR: [{ twoFactor: null }, { twoFactor: { enabledAt: null } }] },
    select: { id: true, name: true, email: true, role: true },
    orderBy: [{ name: "asc" }],
    take: 200,
  });
}
