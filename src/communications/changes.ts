// The client's own audited changes that matter to a reader of its timeline (status, people, restriction and
// classification, contacts added or removed, the client created), read from the audit log through the audit log's
// rule (access/audit.ts: auditEventVisibleSql) and shown with its redaction (redactChanges, auditNotesWithheldSql):
// the timeline never states a confidentiality rule of its own.
import type { Db } from "../db/client.ts";
import { sqlRows } from "../db/sql.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { CurrentUser } from "../access/roles.ts";
import { auditEventVisibleSql, auditNotesWithheldSql, redactChanges } from "../access/audit.ts";
import { LABELS as CLIENT_LABELS } from "../clients/schemas.ts";

/** Fields of a client's events shown on its timeline, in display order, with their labels. */
const CLIENT_FIELDS: Record<string, string> = {
  name: "Name",
  status: "Status",
  accountManagerId: "Account manager",
  primaryPocId: "Primary point of contact",
  secondaryPocId: "Secondary point of contact",
  teamUserIds: "Team",
  isConfidential: "Restricted",
  dataClassification: "Classification",
  categoryId: "Category",
  notes: "Notes",
  relationshipStrength: "Relationship strength",
  relationshipStatus: "Relationship status",
  priority: "Priority",
  relationshipNotes: "Relationship notes",
  reason: "Reason",
  deactivationReason: "Reason",
};
const PEOPLE_FIELDS = new Set(["accountManagerId", "primaryPocId", "secondaryPocId", "teamUserIds"]);
const CONTACT_FIELDS: Record<string, string> = { name: "Name", isPrimary: "Primary contact" };

/** The actions shown: a client's (an update only when it touches one of the fields above) and its contacts'. */
const CLIENT_ACTIONS = ["client.create", "client.import", "client.deactivate", "client.reactivate"];
const CONTACT_ACTIONS = ["contact.create", "contact.delete", "contact.primary_set"];
const TITLES: Record<string, string> = {
  "client.create": "Client created",
  "client.import": "Client imported",
  "client.update": "Client changed",
  "client.deactivate": "Client deactivated",
  "client.reactivate": "Client reactivated",
  "contact.create": "Contact added",
  "contact.delete": "Contact removed",
  "contact.primary_set": "Primary contact changed",
};

/**
 * The timeline parts (same columns as the other parts of `timeline`: at, kind, key, case_id, status_before,
 * status_after, actor_id) listing the client's relevant events the reader may see, in the date range.
 */
export function clientChangesPart(reader: CurrentUser, clientId: string, range: (column: Prisma.Sql) => Prisma.Sql[]): Prisma.Sql {
  const rule = (entityType: "client" | "contact") => [auditEventVisibleSql(reader, "e", { entityType }), ...range(Prisma.sql`e.at`)];
  // Two branches, each walking the (entity_type, entity_id) index: the client's own events, and those of its
  // contacts (live ones, and deleted ones as their deletion recorded the client).
  const clientEvents = Prisma.sql`SELECT e.at, 'change', e.id::text, NULL::uuid, NULL, NULL, e.actor_id FROM audit_events e
    WHERE e.entity_type = 'client' AND e.entity_id = ${clientId}
      AND (e.action IN (${Prisma.join(CLIENT_ACTIONS)}) OR (e.action = 'client.update' AND jsonb_exists_any(e.changes, ${Object.keys(CLIENT_FIELDS)}::text[])))
      AND ${Prisma.join(rule("client"), " AND ")}`;
  const contactEvents = Prisma.sql`SELECT e.at, 'change', e.id::text, NULL::uuid, NULL, NULL, e.actor_id
    FROM (SELECT ct.id::text AS id FROM contacts ct WHERE ct.client_id = ${clientId}::uuid
      UNION SELECT cd.entity_id FROM audit_events cd WHERE cd.action = 'contact.delete' AND cd.changes->'clientId'->>'before' = ${clientId}) ci
    JOIN audit_events e ON e.entity_type = 'contact' AND e.entity_id = ci.id
    WHERE e.action IN (${Prisma.join(CONTACT_ACTIONS)}) AND ${Prisma.join(rule("contact"), " AND ")}`;
  return Prisma.sql`${clientEvents} UNION ALL ${contactEvents}`;
}

export interface ChangeLine {
  field: string;
  before: string | null;
  after: string | null;
}

/** A change on the timeline: what happened, and field: old → new as the reader may see them. */
export interface TimelineChange {
  title: string;
  /** The contact's name, for a contact's events. */
  subject: string | null;
  lines: ChangeLine[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isChange(value: unknown): value is { before: unknown; after: unknown } {
  return Boolean(value) && typeof value === "object" && "after" in (value as object);
}

/** The shown events by audit id, redacted for the reader (events it may not see are absent). */
export async function timelineChanges(db: Db, reader: CurrentUser, ids: string[]): Promise<Map<string, TimelineChange>> {
  if (!ids.length) return new Map();
  const rows = await sqlRows<{ key: string; action: string; entityType: string; changes: unknown; notesWithheld: boolean; contactName: string | null }>(
    db,
    Prisma.sql`SELECT e.id::text AS key, e.action, e.entity_type AS "entityType", e.changes, ${auditNotesWithheldSql(reader, "e")} AS "notesWithheld", ct.name AS "contactName"
      FROM audit_events e LEFT JOIN contacts ct ON e.entity_type = 'contact' AND ct.id::text = e.entity_id WHERE e.id = ANY(${ids}::bigint[]) AND ${auditEventVisibleSql(reader, "e")}`,
  );
  const events = rows.map((r) => ({ ...r, changes: (redactChanges(reader, r.changes, { notesWithheld: r.notesWithheld }) ?? {}) as Record<string, unknown> }));
  // Names of the people and categories the changes refer to.
  const userIds = new Set<string>();
  const categoryIds = new Set<string>();
  for (const e of events) {
    if (e.entityType !== "client") continue;
    for (const [field, value] of Object.entries(e.changes)) {
      if (!isChange(value)) continue;
      const values = [value.before, value.after].flatMap((v) => (Array.isArray(v) ? v : [v])).filter((v): v is string => typeof v === "string" && UUID.test(v));
      if (PEOPLE_FIELDS.has(field)) values.forEach((v) => userIds.add(v));
      if (field === "categoryId") values.forEach((v) => categoryIds.add(v));
    }
  }
  const [users, categories] = await Promise.all([
    userIds.size ? sqlRows<{ id: string; name: string }>(db, Prisma.sql`SELECT id, name FROM users WHERE id = ANY(${[...userIds]}::uuid[])`) : [],
    categoryIds.size ? sqlRows<{ id: string; name: string }>(db, Prisma.sql`SELECT id, name FROM client_categories WHERE id = ANY(${[...categoryIds]}::uuid[])`) : [],
  ]);
  const names = new Map([...users, ...categories].map((r) => [r.id, r.name]));
  const show = (value: unknown): string | null => {
    if (value === null || value === undefined || value === "") return null;
    if (Array.isArray(value)) return value.length ? value.map((v) => show(v) ?? "").join(", ") : null;
    if (typeof value === "boolean") return value ? "yes" : "no";
    if (typeof value === "string") return names.get(value) ?? CLIENT_LABELS[value] ?? (value.length > 80 ? `${value.slice(0, 79)}…` : value);
    return String(value);
  };
  const result = new Map<string, TimelineChange>();
  for (const e of events) {
    const fields = e.entityType === "client" ? CLIENT_FIELDS : CONTACT_FIELDS;
    const created = e.action === "client.create" || e.action === "client.import";
    const lines: ChangeLine[] = [];
    for (const [field, label] of Object.entries(fields)) {
      const value = e.changes[field];
      if (!isChange(value)) continue;
      // A creation lists what it started with, only the fields that were set; a contact's name is its subject.
      if ((created && value.after === null) || (e.entityType === "contact" && !value.after)) continue;
      if (e.entityType === "contact" && field === "name") continue;
      const line = { field: label, before: created ? null : show(value.before), after: show(value.after) };
      if (line.before !== line.after || line.after === "(withheld)") lines.push(line);
    }
    const name = e.changes.name;
    const subject = e.entityType === "contact" && isChange(name) ? show(name.after) ?? show(name.before) : e.entityType === "contact" ? e.contactName : null;
    result.set(e.key, { title: TITLES[e.action] ?? e.action, subject, lines });
  }
  return result;
}
