// Admin page: the audit log, filtered and paged newest first (keyset on id, so deep pages stay fast).
import { Router } from "express";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { CurrentUser } from "../access/roles.ts";
import { hiddenDocumentIds } from "../documents/queries.ts";
import { actorOf } from "../web/context.ts";

const dateText = z
  .string()
  .regex(/^[1-9]\d{3}-\d{2}-\d{2}$/)
  // A real calendar day (not 2020-13-45 or 2021-02-30), else the query gets an Invalid Date and fails.
  .refine((s) => {
    const day = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(s);
  })
  .optional()
  .catch(undefined);
const idText = z.string().regex(/^\d{1,18}$/).optional().catch(undefined);

export const auditFilters = z.object({
  actor: z.uuid().optional().catch(undefined),
  action: z.string().trim().max(100).optional().catch(undefined),
  entityType: z.string().trim().max(50).optional().catch(undefined),
  entityId: z.string().trim().max(100).optional().catch(undefined),
  from: dateText,
  to: dateText,
  before: idText,
  after: idText,
  perPage: z.coerce.number().int().min(10).max(200).optional().catch(undefined),
});
export type AuditFilters = z.infer<typeof auditFilters>;

export async function searchAuditLog(db: Db, filters: AuditFilters, reader?: CurrentUser) {
  const where: Prisma.AuditEventWhereInput = {};
  if (reader) {
    // Events of documents hidden from the reader are left out (the document rule, access/documents.ts).
    const hidden = await hiddenDocumentIds(db, reader);
    if (hidden.length) where.NOT = { entityType: "document", entityId: { in: hidden } };
  }
  if (filters.actor) where.actorId = filters.actor;
  if (filters.action) where.action = filters.action.endsWith("*") ? { startsWith: filters.action.slice(0, -1) } : filters.action;
  if (filters.entityType) where.entityType = filters.entityType;
  if (filters.entityId) where.entityId = filters.entityId;
  if (filters.from || filters.to) {
    where.at = {
      ...(filters.from ? { gte: new Date(`${filters.from}T00:00:00Z`) } : {}),
      ...(filters.to ? { lte: new Date(`${filters.to}T23:59:59.999Z`) } : {}), // the whole day, without stepping past year 9999
    };
  }
  const perPage = filters.perPage ?? 50;
  const newerFirst = !filters.after;
  const cursor = filters.after ? { id: { gt: BigInt(filters.after) } } : filters.before ? { id: { lt: BigInt(filters.before) } } : {};
  const rows = await db.auditEvent.findMany({
    where: { AND: [where, cursor] },
    orderBy: { id: newerFirst ? "desc" : "asc" },
    take: perPage + 1,
    include: { actor: { select: { id: true, name: true, email: true } } },
  });
  const more = rows.length > perPage;
  const events = rows.slice(0, perPage);
  if (!newerFirst) events.reverse();
  const first = events[0]?.id;
  const last = events.at(-1)?.id;
  return {
    events,
    older: (newerFirst ? more : Boolean(filters.after)) && last !== undefined ? String(last) : undefined,
    newer: (newerFirst ? Boolean(filters.before) : more) && first !== undefined ? String(first) : undefined,
  };
}

export function auditRoutes(db: Db) {
  const router = Router();
  router.get("/", async (req, res) => {
    const filters = auditFilters.parse(req.query);
    const [result, actors, actions, entityTypes] = await Promise.all([
      searchAuditLog(db, filters, actorOf(req)),
      db.user.findMany({ select: { id: true, name: true, email: true }, orderBy: { name: "asc" } }),
      db.auditEvent.findMany({ distinct: ["action"], select: { action: true }, orderBy: { action: "asc" } }),
      db.auditEvent.findMany({ distinct: ["entityType"], select: { entityType: true }, where: { entityType: { not: null } }, orderBy: { entityType: "asc" } }),
    ]);
    res.render("audit/index", {
      title: "Audit log",
      ...result,
      filters,
      query: req.query,
      actors,
      actions: actions.map((a) => a.action),
      entityTypes: entityTypes.map((e) => e.entityType),
    });
  });
  return router;
}
