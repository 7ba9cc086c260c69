// Administering user accounts: every change is audited with its field-level before/after.
import type { Db, Tx } from "../db/client.ts";
import { escapeLike } from "../db/sql.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { Actor } from "../access/roles.ts";
import { assertCan } from "../access/permissions.ts";
import { changedFields, recordAudit } from "../audit/service.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { generatePassword, hashPassword, passwordWeakness } from "./passwords.ts";
import { endSessionsOf } from "./sessions.ts";
import type { NewUserInput, UserFilters, UserInput } from "./schemas.ts";
import type { PageRequest } from "../web/pagination.ts";
import { isUuid } from "../web/fields.ts";

const AUDITED_FIELDS = ["email", "name", "role", "relationshipTeam", "legalTeam", "viewConfidential", "department", "active", "mustChangePassword"] as const;

export const userListSelect = {
  id: true,
  email: true,
  name: true,
  role: true,
  relationshipTeam: true,
  legalTeam: true,
  viewConfidential: true,
  department: true,
  active: true,
  mustChangePassword: true,
  lastLoginAt: true,
  lockedUntil: true,
  failedLoginCount: true,
  createdAt: true,
  updatedAt: true,
} as const;

const assertAdmin = (actor: Actor) => assertCan(actor, "users.manage");

export async function listUsers(db: Db, actor: Actor, filters: UserFilters, page: PageRequest) {
  assertAdmin(actor);
  const where: Prisma.UserWhereInput = {};
  if (filters.q) {
    // Prisma passes `contains` to ILIKE as is: escape its wildcards so "%" and "_" match themselves.
    const q = escapeLike(filters.q);
    where.OR = [
      { name: { contains: q, mode: "insensitive" } },
      { email: { contains: q, mode: "insensitive" } },
      { department: { contains: q, mode: "insensitive" } },
    ];
  }
  if (filters.role) where.role = filters.role;
  const status = filters.status ?? "active";
  if (status !== "all") where.active = status === "active";
  const dir = filters.dir ?? (filters.sort === "lastLogin" || filters.sort === "created" ? "desc" : "asc");
  const orderBy: Prisma.UserOrderByWithRelationInput[] = (() => {
    switch (filters.sort) {
      case "email":
        return [{ email: dir }];
      case "role":
        return [{ role: dir }, { name: "asc" }];
      case "lastLogin":
        return [{ lastLoginAt: { sort: dir, nulls: "last" } }, { name: "asc" }];
      case "created":
        return [{ createdAt: dir }];
      default:
        return [{ name: dir }, { email: "asc" }];
    }
  })();
  const [users, total, counts] = await db.$transaction([
    db.user.findMany({ where, orderBy, skip: page.skip, take: page.perPage, select: userListSelect }),
    db.user.count({ where }),
    db.user.groupBy({ by: ["active"], _count: { _all: true }, orderBy: { active: "asc" } }),
  ]);
  const byStatus = { active: 0, inactive: 0 };
  for (const row of counts) byStatus[row.active ? "active" : "inactive"] = row._count._all;
  return { users, total, byStatus, status, dir };
}

export async function getUser(db: Db, actor: Actor, id: string) {
  assertAdmin(actor);
  if (!isUuid(id)) throw new NotFoundError();
  const user = await db.user.findUnique({ where: { id }, select: userListSelect });
  if (!user) throw new NotFoundError();
  return user;
}

async function emailTaken(tx: Tx, email: string, exceptId?: string) {
  const other = await tx.user.findUnique({ where: { email }, select: { id: true } });
  return other !== null && other.id !== exceptId;
}

/** Creates an account that must choose its own password at first sign-in. Returns the initial password when generated. */
export async function createUser(db: Db, actor: Actor, input: NewUserInput): Promise<{ id: string; generatedPassword?: string }> {
  assertAdmin(actor);
  const typed = input.password?.trim() ? input.password : undefined;
  if (typed) {
    const weakness = passwordWeakness(typed, [input.email, input.name]);
    if (weakness) throw new ValidationError({ password: weakness });
  }
  const password = typed ?? generatePassword();
  const passwordHash = await hashPassword(password);
  const { password: _omit, updatedAt: _u, ...fields } = input;
  const created = await db.$transaction(async (tx) => {
    if (await emailTaken(tx, input.email)) throw new ValidationError({ email: "Another user already has this email address." });
    const user = await tx.user.create({ data: { ...fields, passwordHash, mustChangePassword: true } });
    await recordAudit(tx, {
      actorId: actor.id,
      action: "user.create",
      entityType: "user",
      entityId: user.id,
      changes: changedFields(null, user, AUDITED_FIELDS),
      context: actor.context,
    });
    return user;
  }).catch(uniqueEmailError);
  return typed ? { id: created.id } : { id: created.id, generatedPassword: password };
}

function uniqueEmailError(error: unknown): never {
  if ((error as { code?: string }).code === "P2002") throw new ValidationError({ email: "Another user already has this email address." });
  throw error;
}

/** Locks every active admin row so two admins demoting each other at once cannot leave none. */
async function activeAdminIds(tx: Tx): Promise<string[]> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM users WHERE role = 'admin' AND active FOR UPDATE`;
  return rows.map((r) => r.id);
}

async function assertNotLastAdmin(tx: Tx, userId: string, what: string) {
  const admins = await activeAdminIds(tx);
  if (admins.length === 1 && admins[0] === userId) {
    throw new ConflictError(`This is the last active administrator: ${what} would leave nobody able to manage users. Make another user an administrator first.`);
  }
}

export async function updateUser(db: Db, actor: Actor, id: string, input: UserInput) {
  assertAdmin(actor);
  if (!isUuid(id)) throw new NotFoundError();
  const { updatedAt, ...fields } = input;
  await db
    .$transaction(async (tx) => {
      const before = await tx.user.findUnique({ where: { id } });
      if (!before) throw new NotFoundError();
      if (updatedAt && before.updatedAt.toISOString() !== updatedAt) {
        throw new ConflictError("Someone else changed this user while you were editing. Review their changes below and apply yours again.");
      }
      if (before.role === "admin" && fields.role !== "admin" && before.active) await assertNotLastAdmin(tx, id, "removing the admin role");
      if (await emailTaken(tx, fields.email, id)) throw new ValidationError({ email: "Another user already has this email address." });
      const after = await tx.user.update({ where: { id }, data: fields });
      const changes = changedFields(before, after, AUDITED_FIELDS);
      if (changes) await recordAudit(tx, { actorId: actor.id, action: "user.update", entityType: "user", entityId: id, changes, context: actor.context });
    })
    .catch((error: unknown) => uniqueEmailError(error));
}

export async function deactivateUser(db: Db, actor: Actor, id: string, reason: string | undefined) {
  assertAdmin(actor);
  if (!isUuid(id)) throw new NotFoundError();
  if (id === actor.id) throw new ConflictError("You cannot deactivate your own account.");
  await db.$transaction(async (tx) => {
    const before = await tx.user.findUnique({ where: { id } });
    if (!before) throw new NotFoundError();
    if (!before.active) return;
    if (before.role === "admin") await assertNotLastAdmin(tx, id, "deactivating this account");
    const after = await tx.user.update({ where: { id }, data: { active: false } });
    const ended = await endSessionsOf(tx, id);
    await recordAudit(tx, {
      actorId: actor.id,
      action: "user.deactivate",
      entityType: "user",
      entityId: id,
      changes: { ...changedFields(before, after, AUDITED_FIELDS), ...(reason ? { reason: { before: null, after: reason } } : {}), sessionsEnded: { before: null, after: ended } },
      context: actor.context,
    });
  });
}

export async function reactivateUser(db: Db, actor: Actor, id: string) {
  assertAdmin(actor);
  if (!isUuid(id)) throw new NotFoundError();
  await db.$transaction(async (tx) => {
    const before = await tx.user.findUnique({ where: { id } });
    if (!before) throw new NotFoundError();
    if (before.active) return;
    const after = await tx.user.update({ where: { id }, data: { active: true, failedLoginCount: 0, lockedUntil: null } });
    await recordAudit(tx, { actorId: actor.id, action: "user.reactivate", entityType: "user", entityId: id, changes: changedFields(before, after, AUDITED_FIELDS), context: actor.context });
  });
}

/** Sets a new random password, shown once to the admin; the user must change it at next sign-in. */
export async function resetPassword(db: Db, actor: Actor, id: string): Promise<string> {
  assertAdmin(actor);
  if (!isUuid(id)) throw new NotFoundError();
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  await db.$transaction(async (tx) => {
    const before = await tx.user.findUnique({ where: { id } });
    if (!before) throw new NotFoundError();
    const after = await tx.user.update({ where: { id }, data: { passwordHash, mustChangePassword: true, failedLoginCount: 0, lockedUntil: null } });
    const ended = await endSessionsOf(tx, id);
    await recordAudit(tx, {
      actorId: actor.id,
      action: "user.reset_password",
      entityType: "user",
      entityId: id,
      changes: { ...changedFields(before, after, AUDITED_FIELDS), passwordReset: { before: null, after: true }, sessionsEnded: { before: null, after: ended } },
      context: actor.context,
    });
  });
  return password;
}

/** First run with no users: the first admin, from ADMIN_EMAIL/ADMIN_PASSWORD or with a generated password. */
export async function ensureFirstAdmin(
  db: Db,
  options: { email?: string | undefined; password?: string | undefined; name: string },
): Promise<{ created: false } | { created: true; email: string; password?: string }> {
  const email = (options.email ?? "admin@clientdesk.local").trim().toLowerCase();
  if (options.password) {
    const weakness = passwordWeakness(options.password, [email]);
    if (weakness) throw new Error(`ADMIN_PASSWORD is too weak: ${weakness}`);
  }
  const password = options.password ?? generatePassword();
  const passwordHash = await hashPassword(password);
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT pg_advisory_xact_lock(4242002)::text`; // two processes starting at once create one admin
    if ((await tx.user.count()) > 0) return { created: false as const };
    const user = await tx.user.create({
      data: { email, name: options.name, role: "admin", passwordHash, mustChangePassword: !options.password },
    });
    await recordAudit(tx, { action: "user.create_first_admin", entityType: "user", entityId: user.id, changes: changedFields(null, user, AUDITED_FIELDS) });
    return options.password ? { created: true as const, email } : { created: true as const, email, password };
  });
}
