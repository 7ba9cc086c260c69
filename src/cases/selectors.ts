// Reads for the case record pages (selectors): the pickers of the new-case and edit forms, and the history tab's
// rows with ids turned into names. Visibility is checked by the caller (getCase, access/records.ts).
import type { Db } from "../db/client.ts";
import { isUuid } from "../web/fields.ts";
import { ACTION_LABELS, changeLabel, fieldOrder, historyValue } from "./format.ts";
import type { CaseDetail } from "./service.ts";

/** Active case types, each parent followed by its children (depth for indenting). */
export async function typeTree(db: Db) {
  const types = await db.caseType.findMany({
    where: { active: true },
    select: { id: true, name: true, code: true, parentId: true, requiresLegalReview: true, requiresComplianceReview: true, defaultTemplateId: true },
    orderBy: { name: "asc" },
  });
  const ids = new Set(types.map((t) => t.id));
  const children = new Map<string | null, typeof types>();
  for (const t of types) {
    const parent = t.parentId && ids.has(t.parentId) ? t.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), t]);
  }
  const ordered: ((typeof types)[number] & { depth: number })[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const t of children.get(parent) ?? []) {
      ordered.push({ ...t, depth });
      if (depth < 20) walk(t.id, depth + 1);
    }
  };
  walk(null, 0);
  return ordered;
}

/** Active templates grouped by their (active) type, in the types' order. */
export async function templateGroups(db: Db, types: { id: string; name: string; defaultTemplateId: string | null }[]) {
  const templates = await db.caseTemplate.findMany({
    where: { active: true, caseType: { active: true } },
    select: { id: true, name: true, code: true, caseTypeId: true, _count: { select: { stages: true } } },
    orderBy: { name: "asc" },
  });
  return types
    .map((t) => ({ typeId: t.id, typeName: t.name, templates: templates.filter((tpl) => tpl.caseTypeId === t.id).map((tpl) => ({ ...tpl, isDefault: tpl.id === t.defaultTemplateId })) }))
    .filter((g) => g.templates.length);
}

/** The active contacts of a client (the caller has checked it is visible), primary first. */
export function activeContacts(db: Db, clientId: string) {
  return db.contact.findMany({ where: { clientId, active: true }, select: { id: true, name: true, title: true, isPrimary: true }, orderBy: [{ isPrimary: "desc" }, { name: "asc" }] });
}

/** The contacts a case's edit form offers: the client's active ones, and the case's own even when inactive. */
export function contactsForEdit(db: Db, kase: Pick<CaseDetail, "clientId" | "contactId">) {
  return db.contact.findMany({
    where: { clientId: kase.clientId, OR: [{ active: true }, ...(kase.contactId ? [{ id: kase.contactId }] : [])] },
    select: { id: true, name: true, title: true, isPrimary: true, active: true },
    orderBy: [{ isPrimary: "desc" }, { name: "asc" }],
  });
}

/** The case's history from the audit log, newest first (its restricted-read entries left out). */
function caseHistory(db: Db, caseId: string, take = 200) {
  return db.auditEvent.findMany({
    where: { entityType: "case", entityId: caseId, action: { not: "case.read_restricted" } },
    include: { actor: { select: { id: true, name: true } } },
    orderBy: { id: "desc" },
    take,
  });
}

export interface HistoryRow {
  id: string;
  at: Date;
  who: string;
  action: string;
  changes: { label: string; before: string; after: string; hasBefore: boolean }[];
}

/** The history tab's rows: who did what when, each change in words (ids of people, contacts, types as names). */
export async function caseHistoryRows(db: Db, kase: Pick<CaseDetail, "id" | "clientId" | "client">): Promise<HistoryRow[]> {
  const events = await caseHistory(db, kase.id);
  const ids = new Set<string>();
  for (const e of events) {
    for (const change of Object.values((e.changes ?? {}) as Record<string, { before: unknown; after: unknown }>)) {
      for (const v of [change?.before, change?.after]) if (typeof v === "string" && isUuid(v)) ids.add(v);
    }
  }
  const names = new Map<string, string>();
  if (ids.size) {
    const where = { id: { in: [...ids] } };
    const [users, contacts, types, templates] = await Promise.all([
      db.user.findMany({ where, select: { id: true, name: true } }),
      db.contact.findMany({ where: { ...where, clientId: kase.clientId }, select: { id: true, name: true } }),
      db.caseType.findMany({ where, select: { id: true, name: true } }),
      db.caseTemplate.findMany({ where, select: { id: true, name: true } }),
    ]);
    for (const r of [...users, ...contacts, ...types, ...templates]) names.set(r.id, r.name);
  }
  if (ids.has(kase.clientId)) names.set(kase.clientId, kase.client.name);
  return events.map((e) => ({
    id: e.id.toString(),
    at: e.at,
    who: e.actor?.name ?? e.actorLabel ?? "System",
    action: ACTION_LABELS[e.action] ?? e.action,
    changes: Object.entries((e.changes ?? {}) as Record<string, { before: unknown; after: unknown }>).sort(([a], [b]) => fieldOrder(a) - fieldOrder(b)).map(([field, change]) => ({
      label: changeLabel(field),
      before: historyValue(field, change?.before, names),
      after: historyValue(field, change?.after, names),
      hasBefore: change?.before !== null && change?.before !== undefined,
    })),
  }));
}
