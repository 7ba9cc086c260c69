// Records that hang off a client or a case and inherit its visibility through their foreign key. A new kind of record
// joins by one line here: its audit entity type, its table, its parent and the key column. The audit log and the
// reference-model test (tests/access/reference-model.test.ts) read this list.
import { Prisma } from "../generated/prisma/client.ts";
import type { CurrentUser } from "./roles.ts";
import { clientChildVisibleSql } from "./clients.ts";
import { caseChildVisibleSql } from "./cases.ts";
import { visibleDocumentsSql } from "./documents.ts";
import { visibleFeedbackSql } from "./feedback.ts";
import { visibleCommunicationsSql } from "./communications.ts";
import { visibleRoundtableMeetingsSql, visibleRoundtableRowsSql } from "./roundtable.ts";

export interface ChildRecord {
  table: string;
  parent: "client" | "case";
  /** The column holding the parent's id. */
  foreignKey: string;
}

export const CHILD_RECORDS = {
  contact: { table: "contacts", parent: "client", foreignKey: "client_id" },
} as const satisfies Record<string, ChildRecord>;

export type ChildKind = keyof typeof CHILD_RECORDS;

/** The rule of `parent` for a row whose parent id is `parentIdSql`. */
export function parentVisibleSql(reader: CurrentUser, parent: ChildRecord["parent"], parentIdSql: Prisma.Sql): Prisma.Sql {
  return parent === "client" ? clientChildVisibleSql(reader, parentIdSql) : caseChildVisibleSql(reader, parentIdSql);
}

/** A child record's visibility, `alias` being its table in the query: exactly its parent's. */
export function childVisibleSql(reader: CurrentUser, kind: ChildKind, alias: string): Prisma.Sql {
  const child: ChildRecord = CHILD_RECORDS[kind];
  return parentVisibleSql(reader, child.parent, Prisma.raw(`"${alias}".${child.foreignKey}`));
}

/**
 * Records whose rule is more than their parent's (a document may hang off a client or a case, and may be privileged):
 * their rule module states it from the parent rules; the audit log and the reference-model test read it from here.
 * `visibleSql` covers live and deleted rows, as their events outlive a soft delete.
 */
export const OWN_RULE_RECORDS: Record<string, { table: string; visibleSql: (reader: CurrentUser, alias: string) => Prisma.Sql }> = {
  communication: { table: "communications", visibleSql: (reader, alias) => visibleCommunicationsSql(reader, alias, { includeDeleted: true }) },
  client_feedback: { table: "client_feedback", visibleSql: (reader, alias) => visibleFeedbackSql(reader, alias) },
  document: { table: "documents", visibleSql: (reader, alias) => Prisma.sql`(${visibleDocumentsSql(reader, alias, "live")} OR ${visibleDocumentsSql(reader, alias, "deleted")})` },
  roundtable_meeting: { table: "roundtable_meetings", visibleSql: (reader, alias) => visibleRoundtableMeetingsSql(reader, alias) },
  roundtable_entry: { table: "roundtable_entries", visibleSql: (reader, alias) => visibleRoundtableRowsSql(reader, alias) },
  roundtable_action_item: { table: "roundtable_action_items", visibleSql: (reader, alias) => visibleRoundtableRowsSql(reader, alias) },
};
