// THE access policy for clients and everything hanging off them, stated once as the SQL every read uses: who is on a
// client's team, who may know a client exists, who may see its privileged material, and how a child record (a
// contact, a document, an audit event) inherits its client's rule through its foreign key. docs/access.md explains.
import { Prisma } from "../generated/prisma/client.ts";
import type { CurrentUser } from "./roles.ts";
import { can } from "./permissions.ts";

/**
 * The restricted clients this reader may still see (on their team), as a set for `column IN (...)`; null when the
 * reader sees every client ("view confidential"). The SQL function client_team_ids (prisma/repeatable/access.sql)
 * states the team's four reasons (account manager, primary or secondary point of contact, team member); TRUE keeps the
 * restricted clients only. Queries that test the rule in many places build it once (a CTE).
 */
export function visibleRestrictedClientIdsSql(reader: CurrentUser): Prisma.Sql | null {
  return seesEveryClient(reader) ? null : Prisma.sql`SELECT vt.id FROM client_team_ids(${reader.id}::uuid, TRUE) vt(id)`;
}

/** Holders of "view confidential" see every client, restricted or not (never their privileged material). */
export function seesEveryClient(reader: CurrentUser): boolean {
  return reader.viewConfidential;
}

/**
 * THE client rule: a restricted client exists only for its team and for holders of "view confidential"; admins are
 * not exempt. Stated over two SQL expressions, the client's id and whether it is restricted, so rows that carry their
 * client's restriction (cases.client_confidential, case_access) test it without reading the client. `restrictedSet`
 * is visibleRestrictedClientIdsSql's set, or a CTE holding it. `restricted: true` states the rule for rows known to be
 * restricted (a query that selects only those).
 */
export function clientRuleSql(reader: CurrentUser, columns: { id: Prisma.Sql; restricted: Prisma.Sql | true }, restrictedSet = visibleRestrictedClientIdsSql(reader)): Prisma.Sql {
  if (!restrictedSet) return Prisma.sql`TRUE`;
  // Rows known to be restricted (`restricted: true`) leave the set alone: written without the OR, PostgreSQL can start
  // from the set (a semi-join) instead of testing every row against a hash of it (it folds `NOT TRUE OR` too late).
  if (columns.restricted === true) return Prisma.sql`${columns.id} IN (${restrictedSet})`;
  return Prisma.sql`(NOT ${columns.restricted} OR ${columns.id} IN (${restrictedSet}))`;
}

/**
 * THE client rule, split for summaries kept per class of clients (rows summing many clients that share a restriction
 * flag, e.g. feedback_group_sums). `classVisible(restricted)` is SQL on a class row's flag: true when the rule admits
 * a client of that class that is on nobody's team (the rule itself, asked with an empty team set), hence every client
 * of the class. `individuallyVisible(columns)` is SQL on a client's id and restriction: true for the clients the rule
 * admits although their class is not admitted (restricted clients on the reader's team), or null when there are none
 * (holders of "view confidential" see both classes whole): a summary reader adds those clients one by one. Class rows
 * passing plus those clients are exactly the clients visibleClientsSql admits.
 */
export function clientRuleByClassSql(reader: CurrentUser): {
  classVisible: (restricted: Prisma.Sql) => Prisma.Sql;
  individuallyVisible: ((columns: { id: Prisma.Sql; restricted: Prisma.Sql }) => Prisma.Sql) | null;
} {
  const set = visibleRestrictedClientIdsSql(reader);
  const onNobodysTeam = set === null ? null : Prisma.sql`SELECT NULL::uuid WHERE FALSE`;
  const classVisible = (restricted: Prisma.Sql) => clientRuleSql(reader, { id: Prisma.sql`NULL::uuid`, restricted }, onNobodysTeam);
  return {
    classVisible,
    individuallyVisible: set
      ? // The set's clients pass the rule by its definition (clientRuleSql); those of a class not admitted whole are added.
        (columns) => Prisma.sql`(${columns.id} IN (${set}) AND NOT ${classVisible(columns.restricted)})`
      : null,
  };
}

/** The client rule on the clients table itself, `alias` being its alias in the query. */
export function visibleClientsSql(reader: CurrentUser, alias = "c"): Prisma.Sql {
  const c = Prisma.raw(`"${alias}"`);
  return clientRuleSql(reader, { id: Prisma.sql`${c}.id`, restricted: Prisma.sql`${c}.is_confidential` });
}

/**
 * A child record's visibility, inherited from its client through its foreign key (`clientIdColumnSql`, e.g.
 * `Prisma.raw("d.client_id")`): visible exactly when its client is. A null key (no client) passes. For records that
 * carry no copy of their client's restriction (those that do, cases, documents, communications and roundtable rows,
 * state the rule over their copy with clientRuleSql).
 */
export function clientChildVisibleSql(reader: CurrentUser, clientIdColumnSql: Prisma.Sql): Prisma.Sql {
  return clientRuleSql(reader, { id: clientIdColumnSql, restricted: Prisma.sql`EXISTS (SELECT 1 FROM clients pc WHERE pc.id = ${clientIdColumnSql} AND pc.is_confidential)` });
}

/**
 * THE privileged-material rule: a client's privileged material (a privileged client's notes, documents marked
 * privileged) is for the client's team only; "view confidential" does not open it. True when the reader may see the
 * privileged material of the client `clientIdColumnSql` names.
 */
export function privilegedVisibleSql(reader: CurrentUser, clientIdColumnSql: Prisma.Sql): Prisma.Sql {
  return onTeamOfClientSql(reader, clientIdColumnSql);
}

/**
 * The team (client_team_ids's four reasons, written for one client) tested on the client `clientIdColumnSql` names:
 * two index probes per row, where the set form would first gather every client the reader is on the team of
 * (thousands for a busy account manager, read from the heap on every query). For rules asked of a few rows at a time
 * (the privileged-material rule); the set form stays for filters that start from the reader's clients ("mine"). The
 * reference-model test holds both forms to the same oracle.
 */
function onTeamOfClientSql(reader: CurrentUser, clientIdColumnSql: Prisma.Sql): Prisma.Sql {
  // Scalar subqueries, not EXISTS: PostgreSQL may turn an EXISTS into the set it was written to avoid.
  return Prisma.sql`(coalesce((SELECT ${reader.id}::uuid IN (tc.account_manager_id, tc.primary_poc_id, tc.secondary_poc_id)
      FROM clients tc WHERE tc.id = ${clientIdColumnSql}), FALSE)
    OR coalesce((SELECT TRUE FROM client_team_members tm WHERE tm.client_id = ${clientIdColumnSql} AND tm.user_id = ${reader.id}::uuid), FALSE))`;
}

/** Whether a privileged client's notes are withheld from the reader (a privileged client, a reader off its team). */
export function privilegedNotesWithheldSql(reader: CurrentUser, alias = "c"): Prisma.Sql {
  const c = Prisma.raw(`"${alias}"`);
  return Prisma.sql`(${c}.data_classification = 'privileged' AND NOT ${privilegedVisibleSql(reader, Prisma.sql`${c}.id`)})`;
}

/**
 * "My clients": the reader is on the client's team (account manager, primary or secondary point of contact, team
 * member). A narrowing filter (the dashboard's "mine"), never a reason to see a client: combine it with the client rule.
 * Read from client_team_users, the team kept per user (below), as an array the clients' key index is probed with:
 * client_team_ids built the set from four indexes on each query and was guessed at 100 rows; as `IN (subquery)` on
 * the kept rows, PostgreSQL hash-joined a filter that matches most clients (attention=urgent) with a scan of them all.
 */
export function onClientTeamSql(reader: CurrentUser, clientIdColumnSql: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`(${clientIdColumnSql} = ANY (ARRAY(SELECT t.client_id FROM client_team_users t WHERE t.user_id = ${reader.id}::uuid)))`;
}

/**
 * "My clients" as rows (id, is_confidential, last_contact_at), each once: the same team as onClientTeamSql, kept per
 * user with copies of those columns (client_team_users, prisma/repeatable/client-team-users.sql) for counts over the
 * reader's clients by last contact, read from its index by last contact. A narrowing source, never a reason to see a
 * client: combine it with the client rule.
 */
export function myClientRowsSql(reader: CurrentUser): Prisma.Sql {
  return Prisma.sql`SELECT t.client_id AS id, t.is_confidential, t.last_contact_at FROM client_team_users t WHERE t.user_id = ${reader.id}::uuid`;
}

/** The internal assessment (strength, notes, priority, relationship status): relationship team only. */
export function canSeeInternalAssessment(user: CurrentUser): boolean {
  return user.relationshipTeam;
}

/** @deprecated ask permissions.ts: can(user, "client.create") or assertCan(actor, "client.create"). Kept for branches started before it. */
export const clientActions = {
  create: (user: CurrentUser) => can(user, "client.create"),
  edit: (user: CurrentUser) => can(user, "client.edit"),
  changeConfidentiality: (user: CurrentUser) => can(user, "client.changeConfidentiality"),
  deactivate: (user: CurrentUser) => can(user, "client.deactivate"),
  delete: (user: CurrentUser) => can(user, "client.delete"),
  bulkUpdate: (user: CurrentUser) => can(user, "client.bulkUpdate"),
  import: (user: CurrentUser) => can(user, "client.import"),
};
