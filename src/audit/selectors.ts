// Reads of the audit log for its admin page: filtered, newest first, keyset-paged on id, and read through the same
// visibility rules as the records the events are about (access/audit.ts): hidden events are absent from the page,
// its pager and its filter choices, and withheld values are redacted.
import { Prisma } from "../generated/prisma/client.ts";
import type { Db } from "../db/client.ts";
import { cappedCountSql, sqlInteger, sqlRow, sqlRows } from "../db/sql.ts";
import type { CurrentUser } from "../access/roles.ts";
import { auditEventVisibleSql, auditNotesWithheldSql, redactChanges } from "../access/audit.ts";
import type { AuditFilters } from "./schemas.ts";

export interface AuditRow {
  id: bigint;
  at: Date;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  entityType: string | null;
  entityId: string | null;
  changes: unknown;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  actor: { id: string; name: string; email: string } | null;
}

function conditions(reader: CurrentUser, filters: AuditFilters): Prisma.Sql {
  const conds: Prisma.Sql[] = [];
  if (filters.actor) conds.push(Prisma.sql`e.actor_id = ${filters.actor}::uuid`);
  if (filters.action) {
    conds.push(filters.action.endsWith("*") ? Prisma.sql`e.action LIKE ${`${filters.action.slice(0, -1).replace(/[\\%_]/g, (m) => `\\${m}`)}%`}` : Prisma.sql`e.action = ${filters.action}`);
  }
  if (filters.entityType) conds.push(Prisma.sql`e.entity_type = ${filters.entityType}`);
  if (filters.entityId) conds.push(Prisma.sql`e.entity_id = ${filters.entityId}`);
  if (filters.from) conds.push(Prisma.sql`e.at >= ${`${filters.from}T00:00:00Z`}::timestamptz`);
  // The whole day, without stepping past year 9999.
  if (filters.to) conds.push(Prisma.sql`e.at <= ${`${filters.to}T23:59:59.999Z`}::timestamptz`);
  conds.push(auditEventVisibleSql(reader, "e"));
  return Prisma.join(conds, " AND ");
}

/** The pager's count: events the reader may see matching the filters, counted up to AUDIT_COUNT_CAP (then "1,000+"). */
export const AUDIT_COUNT_CAP = 1000;
export async function countAuditLog(db: Db, reader: CurrentUser, filters: AuditFilters): Promise<{ total: number; exact: boolean }> {
  const row = await sqlRow<{ n: number }>(
    db,
    Prisma.sql`SELECT ${cappedCountSql(Prisma.sql`SELECT 1 FROM audit_events e WHERE ${conditions(reader, filters)}`, AUDIT_COUNT_CAP)} AS n`,
  );
  const n = row.n;
  return { total: Math.min(n, AUDIT_COUNT_CAP), exact: n <= AUDIT_COUNT_CAP };
}

/** A page of the events the reader may see, with the cursors of the pages before and after it. */
export async function searchAuditLog(db: Db, reader: CurrentUser, filters: AuditFilters) {
  const perPage = filters.perPage ?? 50;
  const newerFirst = !filters.after;
  const cursor = filters.after ? Prisma.sql`e.id > ${BigInt(filters.after)}` : filters.before ? Prisma.sql`e.id < ${BigInt(filters.before)}` : Prisma.sql`TRUE`;
  const rows = await sqlRows<AuditRow & { notes_withheld: boolean }>(db, Prisma.sql`
    SELECT e.id, e.at, e.actor_id AS "actorId", e.actor_label AS "actorLabel", e.action, e.entity_type AS "entityType", e.entity_id AS "entityId",
      e.changes, e.ip, e.user_agent AS "userAgent", e.request_id AS "requestId",
      (SELECT json_build_object('id', u.id, 'name', u.name, 'email', u.email) FROM users u WHERE u.id = e.actor_id) AS actor,
      ${auditNotesWithheldSql(reader, "e")} AS notes_withheld
    FROM audit_events e
    WHERE ${conditions(reader, filters)} AND ${cursor}
    ORDER BY e.id ${Prisma.raw(newerFirst ? "DESC" : "ASC")}
    LIMIT ${sqlInteger(perPage + 1)}`);
  const more = rows.length > perPage;
  const events: AuditRow[] = rows.slice(0, perPage).map(({ notes_withheld, ...row }) => ({
    ...row,
    at: new Date(row.at),
    changes: redactChanges(reader, row.changes, { notesWithheld: notes_withheld }),
  }));
  if (!newerFirst) events.reverse();
  const first = events[0]?.id;
  const last = events.at(-1)?.id;
  return {
    events,
    older: (newerFirst ? more : Boolean(filters.after)) && last !== undefined ? String(last) : undefined,
    newer: (newerFirst ? Boolean(filters.before) : more) && first !== undefined ? String(first) : undefined,
  };
}

/**
 * The distinct values of `column` among the events the reader may see, for the filter choices: each value found by
 * skipping along its index, then kept only when one visible event has it.
 */
async function visibleDistinct(db: Db, reader: CurrentUser, column: "action" | "entity_type"): Promise<string[]> {
  const col = Prisma.raw(column);
  const rows = await sqlRows<{ value: string }>(db, Prisma.sql`
    WITH RECURSIVE v AS (
      SELECT min(${col}) AS value FROM audit_events
      UNION ALL
      SELECT (SELECT min(${col}) FROM audit_events WHERE ${col} > v.value) FROM v WHERE v.value IS NOT NULL)
    SELECT v.value FROM v
    WHERE v.value IS NOT NULL AND EXISTS (SELECT 1 FROM audit_events e WHERE e.${col} = v.value AND ${auditEventVisibleSql(reader, "e")})
    ORDER BY v.value`);
  return rows.map((r) => r.value);
}

/** The page's filter choices: every user, and the actions and record types of events the reader may see. */
export async function auditFilterChoices(db: Db, reader: CurrentUser) {
  const [actors, actions, entityTypes] = await Promise.all([
    sqlRows<{ id: string; name: string; email: string }>(db, Prisma.sql`SELECT id, name, email FROM users ORDER BY name`),
    visibleDistinct(db, reader, "action"),
    visibleDistinct(db, reader, "entity_type"),
  ]);
  return { actors, actions, entityTypes };
}
