// Bulk update of up to 50 clients: status (never to or from inactive), category, account manager. A dry run says
// what would happen to each row; applying checks everything again under row locks and writes all changes or none.
import { z } from "zod";
import type { Db, Tx } from "../db/client.ts";
import type { Actor, CurrentUser } from "../access/roles.ts";
import { assertCan } from "../access/permissions.ts";
import { visibleClients } from "../access/records.ts";
import { changedFields, eventFacts, recordAudit } from "../audit/service.ts";

import { LABELS } from "./schemas.ts";
import { isUuid } from "../web/fields.ts";

export const BULK_MAX = 50;
export const BULK_STATUSES = ["active", "on_hold", "archived"] as const;
const BULK_FIELDS = ["status", "categoryId", "accountManagerId"] as const;
type BulkField = (typeof BULK_FIELDS)[number];
const FIELD_LABELS: Record<BulkField, string> = { status: "Status", categoryId: "Category", accountManagerId: "Account manager" };

/** The value of the category field that removes the category. */
export const NO_CATEGORY = "none";

/** What to change: an empty field keeps each client's value. */
export const bulkChangesForm = z
  .object({
    status: z
      .string({ error: "Choose a valid status." })
      .trim()
      .optional()
      .transform((v, ctx) => {
        if (!v) return undefined;
        if (v === "inactive") {
          ctx.addIssue({ code: "custom", message: "Deactivation is not a bulk change: an administrator deactivates each client with a reason." });
          return z.NEVER;
        }
        if (!(BULK_STATUSES as readonly string[]).includes(v)) {
          ctx.addIssue({ code: "custom", message: "Choose a valid status." });
          return z.NEVER;
        }
        return v as (typeof BULK_STATUSES)[number];
      }),
    categoryId: z
      .string({ error: "Choose a valid category." })
      .trim()
      .optional()
      .transform((v, ctx) => {
        if (!v) return undefined;
        if (v === NO_CATEGORY) return null;
        if (!isUuid(v)) {
          ctx.addIssue({ code: "custom", message: "Choose a valid category." });
          return z.NEVER;
        }
        return v.toLowerCase();
      }),
    accountManagerId: z
      .string({ error: "Choose a valid account manager." })
      .trim()
      .optional()
      .transform((v, ctx) => {
        if (!v) return undefined;
        if (!isUuid(v)) {
          ctx.addIssue({ code: "custom", message: "Choose a valid account manager." });
          return z.NEVER;
        }
        return v.toLowerCase();
      }),
  })
  .superRefine((v, ctx) => {
    if (v.status === undefined && v.categoryId === undefined && v.accountManagerId === undefined) {
      ctx.addIssue({ code: "custom", path: ["_form"], message: "Choose at least one change: a status, a category or an account manager." });
    }
  });
export type BulkChanges = z.infer<typeof bulkChangesForm>;

/** The selected ids: one checkbox arrives as text, several as a list. Over BULK_MAX is refused as a whole. */
export function selectedIds(raw: unknown): { ok: true; ids: string[] } | { ok: false; message: string } {
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const ids = [...new Set(list.filter((v): v is string => typeof v === "string" && v !== "").map((v) => v.trim().toLowerCase()))];
  if (ids.length === 0) return { ok: false, message: "Select at least one client." };
  if (ids.length > BULK_MAX) return { ok: false, message: `Select at most ${BULK_MAX} clients at a time; you selected ${ids.length}.` };
  return { ok: true, ids };
}

export interface BulkRowChange {
  field: BulkField;
  label: string;
  before: string;
  after: string;
}

export interface BulkRow {
  id: string;
  client?: { id: string; name: string; clientCode: string };
  outcome: "change" | "unchanged" | "not_found" | "refused";
  reason?: string;
  changes: BulkRowChange[];
  /** The client's version when planned, for noticing a change made by someone else before applying. */
  version?: string;
}

export interface BulkPlan {
  rows: BulkRow[];
  /** Problems with the requested changes themselves (a category or user that does not exist). */
  errors: Record<string, string>;
  ok: boolean;
  changeCount: number;
}

/**
 * What the changes would do to each selected client, writing nothing. Ids of clients the actor may not see are
 * "not found", exactly like ids that exist nowhere. `versions` (id → updatedAt seen in the dry run) refuses rows
 * changed since.
 */
export async function planBulkUpdate(db: Db | Tx, actor: CurrentUser, ids: string[], changes: BulkChanges, versions: Record<string, string> = {}): Promise<BulkPlan> {
  assertCan(actor, "client.bulkUpdate");
  const errors: Record<string, string> = {};
  const categories = await db.clientCategory.findMany({ select: { id: true, name: true } });
  const categoryName = new Map(categories.map((c) => [c.id, c.name]));
  if (changes.categoryId && !categoryName.has(changes.categoryId)) errors.categoryId = "That category no longer exists.";
  const uuids = ids.filter((id) => isUuid(id));
  const visibleIds = (await visibleClients(db, actor, uuids)).map((c) => c.id);
  const clients = visibleIds.length
    ? await db.client.findMany({
        where: { id: { in: visibleIds } },
        select: { id: true, name: true, clientCode: true, status: true, categoryId: true, accountManagerId: true, updatedAt: true },
      })
    : [];
  const userIds = new Set<string>(clients.map((c) => c.accountManagerId).filter((v): v is string => Boolean(v)));
  if (changes.accountManagerId) userIds.add(changes.accountManagerId);
  const users = userIds.size ? await db.user.findMany({ where: { id: { in: [...userIds] } }, select: { id: true, name: true, active: true } }) : [];
  const userName = new Map(users.map((u) => [u.id, u.name]));
  if (changes.accountManagerId && !users.some((u) => u.id === changes.accountManagerId && u.active)) errors.accountManagerId = "Choose an active user.";

  const byId = new Map(clients.map((c) => [c.id, c]));
  const show: Record<BulkField, (v: string | null) => string> = {
    status: (v) => (v ? (LABELS[v] ?? v) : "—"),
    categoryId: (v) => (v ? (categoryName.get(v) ?? "—") : "No category"),
    accountManagerId: (v) => (v ? (userName.get(v) ?? "—") : "Nobody"),
  };
  const rows = ids.map((id): BulkRow => {
    const client = byId.get(id);
    if (!client) return { id, outcome: "not_found", reason: "No client you may see has this id.", changes: [] };
    const summary = { id: client.id, name: client.name, clientCode: client.clientCode };
    const version = client.updatedAt.toISOString();
    if (versions[id] && versions[id] !== version) {
      return { id, client: summary, outcome: "refused", reason: "Someone changed this client after your preview; preview again.", changes: [], version };
    }
    if (changes.status !== undefined && client.status === "inactive") {
      return { id, client: summary, outcome: "refused", reason: "Inactive: an administrator reactivates it, with a reason, before its status can change.", changes: [], version };
    }
    const rowChanges: BulkRowChange[] = [];
    for (const field of BULK_FIELDS) {
      const wanted = changes[field];
      if (wanted === undefined || wanted === client[field]) continue;
      rowChanges.push({ field, label: FIELD_LABELS[field], before: show[field](client[field]), after: show[field](wanted) });
    }
    return { id, client: summary, outcome: rowChanges.length ? "change" : "unchanged", changes: rowChanges, version };
  });
  const ok = Object.keys(errors).length === 0 && rows.every((r) => r.outcome === "change" || r.outcome === "unchanged");
  return { rows, errors, ok, changeCount: rows.filter((r) => r.outcome === "change").length };
}

class BulkRefused extends Error {
  constructor(readonly plan: BulkPlan) {
    super("bulk update refused");
  }
}

/**
 * Applies the changes in one transaction with the selected rows locked: every row is planned again under the locks,
 * and if any is not found or refused nothing is written. Each changed client gets a client.update audit event with
 * field-level before/after, and the whole a client.bulk_update summary.
 */
export async function applyBulkUpdate(db: Db, actor: Actor, ids: string[], changes: BulkChanges, versions: Record<string, string> = {}): Promise<{ applied: boolean; plan: BulkPlan }> {
  assertCan(actor, "client.bulkUpdate");
  try {
    const plan = await db.$transaction(async (tx) => {
      const uuids = ids.filter((id) => isUuid(id)).sort();
      // In id order, so two bulk updates over overlapping clients cannot deadlock.
      if (uuids.length) await tx.$queryRaw`SELECT id FROM clients WHERE id = ANY(${uuids}::uuid[]) ORDER BY id FOR UPDATE`;
      const plan = await planBulkUpdate(tx, actor, ids, changes, versions);
      if (!plan.ok) throw new BulkRefused(plan);
      const data: { status?: (typeof BULK_STATUSES)[number]; categoryId?: string | null; accountManagerId?: string } = {};
      if (changes.status !== undefined) data.status = changes.status;
      if (changes.categoryId !== undefined) data.categoryId = changes.categoryId;
      if (changes.accountManagerId !== undefined) data.accountManagerId = changes.accountManagerId;
      const changed: string[] = [];
      for (const row of plan.rows) {
        if (row.outcome !== "change") continue;
        const before = await tx.client.findUniqueOrThrow({ where: { id: row.id } });
        const after = await tx.client.update({ where: { id: row.id }, data: { ...data, updatedById: actor.id } });
        const fieldChanges = changedFields(before, after, BULK_FIELDS);
        if (fieldChanges) await recordAudit(tx, { actorId: actor.id, action: "client.update", entityType: "client", entityId: row.id, changes: fieldChanges, context: actor.context });
        changed.push(row.id);
      }
      await recordAudit(tx, {
        actorId: actor.id,
        action: "client.bulk_update",
        entityType: "client",
        changes: eventFacts({
          requested: data,
          changedClientIds: changed,
          unchangedClientIds: plan.rows.filter((r) => r.outcome === "unchanged").map((r) => r.id),
        }),
        context: actor.context,
      });
      return plan;
    });
    return { applied: true, plan };
  } catch (error) {
    if (error instanceof BulkRefused) return { applied: false, plan: error.plan };
    throw error;
  }
}

/** The versions a dry run saw, carried by the apply form as "id@updatedAt" values. */
export function versionsOf(raw: unknown): Record<string, string> {
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const versions: Record<string, string> = {};
  for (const item of list.slice(0, BULK_MAX)) {
    if (typeof item !== "string") continue;
    const at = item.indexOf("@");
    if (at > 0) versions[item.slice(0, at).toLowerCase()] = item.slice(at + 1);
  }
  return versions;
}
