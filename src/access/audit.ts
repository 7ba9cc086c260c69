// The audit log read through the same rules as the records it is about: an event about a client, a case or a child
// record (children.ts) is listed only to readers who may see that record, and before/after values of fields the
// reader may not see (privileged notes, the internal assessment) are redacted.
import { Prisma } from "../generated/prisma/client.ts";
import type { CurrentUser } from "./roles.ts";
import { canSeeInternalAssessment, clientChildVisibleSql, privilegedVisibleSql, seesEveryClient } from "./clients.ts";
import { deletedCasesSql, visibleCasesSql } from "./cases.ts";
import { CHILD_RECORDS, OWN_RULE_RECORDS, type ChildRecord } from "./children.ts";

/** The event's entity id as a uuid, or null when it is not one (entity ids are text: IPs, numbers). */
function entityUuid(e: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`(CASE WHEN ${e}.entity_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN ${e}.entity_id::uuid END)`;
}

/**
 * A client's events after the client is deleted: the client rule can no longer be read from the client, so they are
 * for holders of "view confidential" unless the deletion recorded that it was not restricted.
 */
function deletedRestrictedClientSql(reader: CurrentUser, clientIdText: Prisma.Sql): Prisma.Sql {
  if (seesEveryClient(reader)) return Prisma.sql`FALSE`;
  return Prisma.sql`EXISTS (SELECT 1 FROM audit_events d WHERE d.entity_type = 'client' AND d.entity_id = ${clientIdText} AND d.action = 'client.delete'
    AND d.changes->'isConfidential'->>'before' IS DISTINCT FROM 'false')`;
}

function clientRefVisibleSql(reader: CurrentUser, clientId: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`(${clientChildVisibleSql(reader, clientId)} AND NOT ${deletedRestrictedClientSql(reader, Prisma.sql`${clientId}::text`)})`;
}

function caseRefVisibleSql(reader: CurrentUser, caseId: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`EXISTS (SELECT 1 FROM cases ak WHERE ak.id = ${caseId} AND (${visibleCasesSql(reader, "ak")} OR ${deletedCasesSql(reader, "ak")}))`;
}

/** A child's parent id: from its row, or (once the row is deleted) from the key its events recorded. */
function childParentIdSql(child: ChildRecord, e: Prisma.Sql): Prisma.Sql {
  const key = child.foreignKey.replace(/_([a-z])/g, (_, l: string) => l.toUpperCase());
  return Prisma.sql`coalesce(
    (SELECT x.${Prisma.raw(child.foreignKey)} FROM ${Prisma.raw(child.table)} x WHERE x.id = ${entityUuid(e)}),
    (SELECT coalesce(y.changes->${key}->>'after', y.changes->${key}->>'before')::uuid FROM audit_events y
      WHERE y.entity_type = ${e}.entity_type AND y.entity_id = ${e}.entity_id AND y.changes->${key} IS NOT NULL LIMIT 1))`;
}

/**
 * THE rule for audit events, `alias` being audit_events in the query. Events about nothing in particular pass. A query
 * that reads the events of one kind of record only (its own condition on entity_type) passes `entityType`: the rule is
 * then that kind's branch alone, so the plan holds no branch that cannot be taken (each one's subqueries are set up on
 * every run).
 */
export function auditEventVisibleSql(reader: CurrentUser, alias = "e", options: { entityType?: string } = {}): Prisma.Sql {
  const e = Prisma.raw(`"${alias}"`);
  const branches: [string, Prisma.Sql][] = [
    ["client", Prisma.sql`WHEN ${e}.entity_type = 'client' AND ${e}.entity_id IS NOT NULL THEN ${clientRefVisibleSql(reader, entityUuid(e))}`],
    ["case", Prisma.sql`WHEN ${e}.entity_type = 'case' AND ${e}.entity_id IS NOT NULL THEN ${caseRefVisibleSql(reader, entityUuid(e))}`],
  ];
  // Records with a rule of their own beyond their parent's (privileged flags, a client or a case): that rule, live or deleted.
  for (const [kind, own] of Object.entries(OWN_RULE_RECORDS)) {
    branches.push([kind, Prisma.sql`WHEN ${e}.entity_type = ${kind} THEN EXISTS (SELECT 1 FROM ${Prisma.raw(own.table)} ar WHERE ar.id = ${entityUuid(e)} AND ${own.visibleSql(reader, "ar")})`]);
  }
  for (const [kind, child] of Object.entries(CHILD_RECORDS) as [string, ChildRecord][]) {
    const parentId = childParentIdSql(child, e);
    const rule = child.parent === "client" ? clientRefVisibleSql(reader, parentId) : caseRefVisibleSql(reader, parentId);
    // A child whose parent cannot be told any more is for holders of "view confidential" only.
    branches.push([kind, Prisma.sql`WHEN ${e}.entity_type = ${kind} THEN coalesce(${parentId} IS NOT NULL AND ${rule}, ${seesEveryClient(reader)})`]);
  }
  const taken = options.entityType === undefined ? branches : branches.filter(([kind]) => kind === options.entityType);
  return taken.length ? Prisma.sql`(CASE ${Prisma.join(taken.map(([, sql]) => sql), " ")} ELSE TRUE END)` : Prisma.sql`TRUE`;
}

/**
 * Whether the event's privileged notes are withheld from the reader: an event about a client that is or ever was
 * privileged (its events recorded the classification), read by someone off the client's team.
 */
export function auditNotesWithheldSql(reader: CurrentUser, alias = "e"): Prisma.Sql {
  const e = Prisma.raw(`"${alias}"`);
  const id = entityUuid(e);
  const privileged = (x: string) => Prisma.raw(`('privileged' IN (${x}.changes->'dataClassification'->>'before', ${x}.changes->'dataClassification'->>'after')) IS TRUE`);
  return Prisma.sql`((${e}.entity_type = 'client' AND ${e}.entity_id IS NOT NULL AND ${e}.changes->'notes' IS NOT NULL AND NOT coalesce(${privilegedVisibleSql(reader, id)}, FALSE) AND (
    NOT EXISTS (SELECT 1 FROM clients pc WHERE pc.id = ${id} AND pc.data_classification <> 'privileged')
    OR ${privileged("e")}
    OR EXISTS (SELECT 1 FROM audit_events h WHERE h.entity_type = 'client' AND h.entity_id = ${e}.entity_id AND ${privileged("h")}))) IS TRUE)`;
}

/** Fields of the internal assessment, as events record them (the client's columns and the list's filters). */
const ASSESSMENT_KEYS = new Set(["relationshipStrength", "relationshipNotes", "priority", "relationshipStatus", "relationship"]);
const WITHHELD = "(withheld)";

export type FieldChanges = Record<string, { before: unknown; after: unknown } | unknown>;

/** An event's changes as the reader may see them: withheld values replaced, field names kept. */
export function redactChanges(reader: CurrentUser, changes: unknown, flags: { notesWithheld: boolean }): unknown {
  if (!changes || typeof changes !== "object" || Array.isArray(changes)) return changes;
  const assessment = !canSeeInternalAssessment(reader);
  const shown: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(changes as Record<string, unknown>)) {
    const hidden = (flags.notesWithheld && field === "notes") || (assessment && ASSESSMENT_KEYS.has(field));
    if (hidden) shown[field] = { before: WITHHELD, after: WITHHELD };
    else if (assessment && field === "filters" && isChange(value) && value.after && typeof value.after === "object") {
      // An export's filters: the assessment ones would reveal assessment values.
      const filters = Object.fromEntries(Object.entries(value.after as Record<string, unknown>).map(([k, v]) => [k, ASSESSMENT_KEYS.has(k) ? WITHHELD : v]));
      shown[field] = { ...value, after: filters };
    } else shown[field] = value;
  }
  return shown;
}

function isChange(value: unknown): value is { before: unknown; after: unknown } {
  return Boolean(value) && typeof value === "object" && "after" in (value as object);
}
