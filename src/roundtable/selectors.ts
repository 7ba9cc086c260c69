// The reads of roundtable meetings: the meetings list, meeting mode's clients (keyset pages), a meeting's entries (its
// minutes and exports), a client's entries (its page and history) and open action items. Every read filters meetings
// with visibleRoundtableMeetingsSql, entries and action items with visibleRoundtableRowsSql, and clients with the
// client rule (src/access/), so nobody off the relationship team reads a row and hidden clients' entries never count.
import { Prisma } from "../generated/prisma/client.ts";
import type { Db } from "../db/client.ts";
import { cappedCountSql, jsonDate, jsonRead, sqlInteger, sqlRead, sqlRow, sqlRows, type JsonRead } from "../db/sql.ts";
import type { CurrentUser } from "../access/roles.ts";
import { clientRuleSql, visibleClientsSql, visibleRestrictedClientIdsSql } from "../access/clients.ts";
import { visibleCommunicationsSql } from "../access/communications.ts";
import { seesRoundtable, visibleRoundtableMeetingsSql, visibleRoundtableRowsSql } from "../access/roundtable.ts";
import { attentionSql, encodeCursor } from "../clients/queries.ts";
import { PRIORITIES } from "../clients/schemas.ts";
import { isUuid } from "../web/fields.ts";
import type { MeetingFilters } from "./schemas.ts";

export interface Person {
  id: string;
  name: string;
}

export interface MeetingRow {
  id: string;
  meetingDate: Date;
  agenda: string | null;
  startedAt: Date;
  endedAt: Date | null;
  createdBy: Person;
  attendees: Person[];
  entryCount: number;
}

export interface ActionItemRow {
  id: string;
  description: string;
  assigneeId: string;
  assigneeName: string;
  dueDate: Date;
  completedAt: Date | null;
  completedByName: string | null;
}

export interface EntryRow {
  id: string;
  meetingId: string;
  meetingDate: Date;
  clientId: string;
  clientName: string;
  nearTermFocus: string | null;
  workTargets: string | null;
  discussion: string | null;
  nextSteps: string | null;
  authorName: string;
  savedAt: Date | null;
  updatedAt: Date;
  actionItems: ActionItemRow[];
}

/** The roundtable-visible action items of entry `e`, as JSON. */
function actionItemsJson(user: CurrentUser): Prisma.Sql {
  return Prisma.sql`(SELECT coalesce(json_agg(json_build_object('id', a.id, 'description', a.description, 'assigneeId', a.assignee_id,
      'assigneeName', au.name, 'dueDate', a.due_date, 'completedAt', a.completed_at, 'completedByName', cb.name) ORDER BY a.created_at, a.id), '[]')
    FROM roundtable_action_items a JOIN users au ON au.id = a.assignee_id LEFT JOIN users cb ON cb.id = a.completed_by_id
    WHERE a.entry_id = e.id AND ${visibleRoundtableRowsSql(user, "a")})`;
}

/** Entry `e` (with its meeting `rm` and client `ec` joined) as a JSON object. */
function entryJson(user: CurrentUser): Prisma.Sql {
  return Prisma.sql`json_build_object('id', e.id, 'meetingId', e.meeting_id, 'meetingDate', rm.meeting_date, 'clientId', e.client_id, 'clientName', ec.name,
    'nearTermFocus', e.near_term_focus, 'workTargets', e.work_targets, 'discussion', e.discussion, 'nextSteps', e.next_steps,
    'authorName', (SELECT u.name FROM users u WHERE u.id = e.author_id), 'savedAt', e.saved_at, 'updatedAt', e.updated_at,
    'actionItems', ${actionItemsJson(user)})`;
}

const ENTRY_FROM = Prisma.sql`roundtable_entries e JOIN roundtable_meetings rm ON rm.id = e.meeting_id JOIN clients ec ON ec.id = e.client_id`;

/** The entry rule (which carries its client's rule through client_id) and the meeting rule. */
function entryConditions(user: CurrentUser): Prisma.Sql {
  return Prisma.sql`${visibleRoundtableRowsSql(user, "e")} AND ${visibleRoundtableMeetingsSql(user, "rm")}`;
}

type RawEntry = Omit<EntryRow, "meetingDate" | "savedAt" | "updatedAt" | "actionItems"> & {
  meetingDate: unknown;
  savedAt: unknown;
  updatedAt: unknown;
  actionItems: (Omit<ActionItemRow, "dueDate" | "completedAt"> & { dueDate: unknown; completedAt: unknown })[];
};

function reviveEntry(raw: RawEntry): EntryRow {
  return {
    ...raw,
    meetingDate: jsonDate(raw.meetingDate)!,
    savedAt: jsonDate(raw.savedAt),
    updatedAt: jsonDate(raw.updatedAt)!,
    actionItems: raw.actionItems.map((a) => ({ ...a, dueDate: jsonDate(a.dueDate)!, completedAt: jsonDate(a.completedAt) })),
  };
}

// --- meetings ---------------------------------------------------------------------------------------------------

/** A meeting `rm` (whose visibility the caller tests) with its creator, attendees and the entries the user may see. */
function meetingSelect(user: CurrentUser): Prisma.Sql {
  return Prisma.sql`SELECT rm.id, rm.meeting_date AS "meetingDate", rm.agenda, rm.started_at AS "startedAt", rm.ended_at AS "endedAt",
      json_build_object('id', cu.id, 'name', cu.name) AS "createdBy",
      (SELECT coalesce(json_agg(json_build_object('id', u.id, 'name', u.name) ORDER BY u.name, u.id), '[]')
         FROM roundtable_attendees ra JOIN users u ON u.id = ra.user_id WHERE ra.meeting_id = rm.id) AS attendees,
      (SELECT count(*)::int FROM roundtable_entries e WHERE e.meeting_id = rm.id AND ${visibleRoundtableRowsSql(user, "e")}) AS "entryCount"
    FROM roundtable_meetings rm JOIN users cu ON cu.id = rm.created_by_id`;
}

/** Meetings newest first (by date, then by start), a page at a time, with the total. */
export async function meetingList(db: Db, user: CurrentUser, page: { skip: number; perPage: number }): Promise<{ rows: MeetingRow[]; total: number }> {
  const [rows, count] = await Promise.all([
    sqlRows<MeetingRow>(
      db,
      Prisma.sql`${meetingSelect(user)} WHERE ${visibleRoundtableMeetingsSql(user, "rm")}
        ORDER BY rm.meeting_date DESC, rm.started_at DESC, rm.id DESC LIMIT ${page.perPage} OFFSET ${page.skip}`,
    ),
    sqlRow<{ n: number }>(db, Prisma.sql`SELECT count(*)::int AS n FROM roundtable_meetings rm WHERE ${visibleRoundtableMeetingsSql(user, "rm")}`),
  ]);
  return { rows, total: count.n };
}

/** One meeting, or undefined when it does not exist or the user may not know it does. */
export async function meetingRow(db: Db, user: CurrentUser, id: string): Promise<MeetingRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await sqlRows<MeetingRow>(db, Prisma.sql`${meetingSelect(user)} WHERE rm.id = ${id}::uuid AND ${visibleRoundtableMeetingsSql(user, "rm")}`);
  return row;
}

/** Active relationship-team users: who may attend a meeting and be assigned an action item. */
export function relationshipTeamUsersRead(): JsonRead<Person[]> {
  return jsonRead<Person, Person[]>(Prisma.sql`SELECT id, name FROM users WHERE active AND relationship_team ORDER BY name, id`, (rows) => rows);
}

export function relationshipTeamUsers(db: Db): Promise<Person[]> {
  return sqlRead(db, relationshipTeamUsersRead());
}

/** Active users who are a point of contact of some client, for meeting mode's filter. */
export function pointOfContactOptionsRead(): JsonRead<Person[]> {
  return jsonRead<Person, Person[]>(
    Prisma.sql`SELECT u.id, u.name FROM users u WHERE u.active AND (EXISTS (SELECT 1 FROM clients c WHERE c.primary_poc_id = u.id) OR EXISTS (SELECT 1 FROM clients c WHERE c.secondary_poc_id = u.id))
      ORDER BY u.name, u.id`,
    (rows) => rows,
  );
}

// --- meeting mode -------------------------------------------------------------------------------------------------

/**
 * The clients a meeting walks through: active clients whose relationship is Active or Warm, or whose priority is
 * Strategic or High (docs/roundtable.md).
 */
const MEETING_CLIENTS = Prisma.sql`c.status = 'active' AND (c.relationship_status IN ('active', 'warm') OR c.priority IN ('strategic', 'high'))`;
/** Strategic first, Opportunistic last, no priority after them. */
function priorityRankSql(alias = "c"): Prisma.Sql {
  return Prisma.raw(`coalesce(array_position(ARRAY[${PRIORITIES.map((p) => `'${p}'`).join(", ")}]::text[], "${alias}".priority::text), ${PRIORITIES.length + 1})`);
}

export interface MeetingClientRow {
  id: string;
  name: string;
  clientCode: string;
  isConfidential: boolean;
  priority: string | null;
  relationshipStatus: string | null;
  relationshipStrength: string | null;
  lastContactAt: Date | null;
  attention: "urgent" | "warning" | "never" | "ok";
  primaryPoc: string | null;
  secondaryPoc: string | null;
  openFollowUps: number;
  previous: EntryRow[];
  current: EntryRow | null;
}

export interface MeetingClientPage {
  rows: MeetingClientRow[];
  next?: string;
  /** Matching clients, counted up to MEETING_COUNT_CAP (a lower bound past it). */
  total: number;
  capped: boolean;
}

export const MEETING_COUNT_CAP = 1000;

function decodeMeetingCursor(text: string | undefined): [number, number, string, string] | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(v) && v.length === 4 && Number.isInteger(v[0]) && Number.isInteger(v[1]) && typeof v[2] === "string" && typeof v[3] === "string" && isUuid(v[3]) && !v[2].includes("\u0000")) {
      return v as [number, number, string, string];
    }
  } catch {
    /* a mangled cursor starts from the first page */
  }
  return undefined;
}

/** Attention buckets in meeting order, each as a condition on last_contact_at an index on it can range over. */
const ATTENTION_ORDER = ["urgent", "warning", "never", "ok"] as const;

const COLUMNS = Prisma.sql`c.id, c.name, c.client_code AS "clientCode", c.is_confidential AS "isConfidential", c.priority::text AS priority,
  c.relationship_status::text AS "relationshipStatus", c.relationship_strength::text AS "relationshipStrength", c.last_contact_at AS "lastContactAt",
  c.primary_poc_id, c.secondary_poc_id`;

/**
 * Meeting mode's page query and its capped count, as SQL. The order (priority, attention, then oldest last contact
 * first, then id) is read bucket by bucket: one indexed range per (priority, attention) on the partial index
 * clients_roundtable_order_idx (priority, last_contact_at, id), each stopping after a page, in order until the page is
 * full. Sorting every meeting client by a computed key instead cost a scan of them all per page (attention depends on
 * today's date, so no index holds it).
 */
export function meetingClientsQuery(user: CurrentUser, meetingId: string, filters: MeetingFilters, perPage = 20): { sql: Prisma.Sql; countSql: Prisma.Sql } {
  // The client rule is tested in every bucket below: the reader's restricted clients are gathered once (rv), not per bucket.
  const restrictedSet = visibleRestrictedClientIdsSql(user);
  const rule = restrictedSet ? clientRuleSql(user, { id: Prisma.sql`c.id`, restricted: Prisma.sql`c.is_confidential` }, Prisma.sql`SELECT rv.id FROM rv`) : visibleClientsSql(user, "c");
  const rv = restrictedSet ? Prisma.sql`rv AS MATERIALIZED (${restrictedSet})` : null;
  const conds: Prisma.Sql[] = [MEETING_CLIENTS, rule];
  if (filters.poc) conds.push(Prisma.sql`(c.primary_poc_id = ${filters.poc}::uuid OR c.secondary_poc_id = ${filters.poc}::uuid)`);
  const where = Prisma.join(conds, " AND ");
  const cursor = decodeMeetingCursor(filters.after);
  const limit = sqlInteger(perPage + 1);
  const buckets: Prisma.Sql[] = [];
  const priorities: (string | null)[] = [...PRIORITIES, null];
  priorities.forEach((priority, pi) => {
    if (filters.priority && filters.priority !== priority) return;
    ATTENTION_ORDER.forEach((attention, ai) => {
      if (filters.attention && filters.attention !== attention) return;
      const prank = pi + 1;
      const arank = ai + 1;
      let after = Prisma.sql`TRUE`;
      if (cursor) {
        const [cp, ca, last, id] = cursor;
        if (prank < cp || (prank === cp && arank < ca)) return;
        if (prank === cp && arank === ca) {
          after = attention === "never" || !/^\d{4}-\d{2}-\d{2}$/.test(last)
            ? Prisma.sql`c.id > ${id}::uuid`
            : Prisma.sql`(c.last_contact_at, c.id) > (${last}::date, ${id}::uuid)`;
        }
      }
      const priorityIs = priority ? Prisma.sql`c.priority = ${Prisma.raw(`'${priority}'`)}::"ClientPriority"` : Prisma.sql`c.priority IS NULL`;
      buckets.push(Prisma.sql`(SELECT ${COLUMNS}, ${sqlInteger(prank)} AS prank, ${sqlInteger(arank)} AS arank FROM clients c
        WHERE b.bucket = ${sqlInteger(buckets.length)} AND ${priorityIs} AND ${attentionSql(attention, "c")} AND ${where} AND ${after}
        ORDER BY c.priority, c.last_contact_at, c.id LIMIT ${limit})`);
    });
  });
  const union = buckets.length ? Prisma.join(buckets, " UNION ALL ") : Prisma.sql`(SELECT ${COLUMNS}, 0 AS prank, 0 AS arank FROM clients c WHERE FALSE)`;
  // The buckets are read one after the other, in the meeting's order, until the page is full: a nested loop over the
  // bucket numbers (generated in order), each running only its own branch (the others' one-time filter is false), so
  // a page the first bucket fills reads that bucket alone. The page is sorted again below.
  const sql = Prisma.sql`WITH ${rv ? Prisma.sql`${rv}, ` : Prisma.empty}p AS (SELECT x.* FROM generate_series(0, ${sqlInteger(buckets.length - 1)}) b(bucket)
      CROSS JOIN LATERAL (${union}) x LIMIT ${limit})
      SELECT p.id, p.name, p."clientCode", p."isConfidential", p.priority, p."relationshipStatus", p."relationshipStrength", p."lastContactAt", p.prank, p.arank,
        (SELECT u.name FROM users u WHERE u.id = p.primary_poc_id) AS "primaryPoc",
        (SELECT u.name FROM users u WHERE u.id = p.secondary_poc_id) AS "secondaryPoc",
        ((SELECT count(*) FROM communications m WHERE m.client_id = p.id AND m.follow_up_required AND m.follow_up_completed_at IS NULL AND ${visibleCommunicationsSql(user, "m")})
          + (SELECT count(*) FROM roundtable_action_items a WHERE a.client_id = p.id AND a.completed_at IS NULL AND ${visibleRoundtableRowsSql(user, "a")}))::int AS "openFollowUps",
        (SELECT coalesce(json_agg(x.j ORDER BY x.created_at DESC, x.id DESC), '[]') FROM (
          SELECT ${entryJson(user)} AS j, e.created_at, e.id FROM ${ENTRY_FROM}
          WHERE e.client_id = p.id AND e.meeting_id <> ${meetingId}::uuid AND ${entryConditions(user)}
          ORDER BY e.created_at DESC, e.id DESC LIMIT 3) x) AS previous,
        (SELECT ${entryJson(user)} FROM ${ENTRY_FROM} WHERE e.client_id = p.id AND e.meeting_id = ${meetingId}::uuid AND ${entryConditions(user)}) AS current
      FROM p ORDER BY p.prank, p.arank, p."lastContactAt", p.id`;
  const countConds = [where];
  if (filters.priority) countConds.push(Prisma.sql`c.priority = ${filters.priority}::"ClientPriority"`);
  if (filters.attention) countConds.push(attentionSql(filters.attention, "c"));
  const countSql = Prisma.sql`${rv ? Prisma.sql`WITH ${rv} ` : Prisma.empty}SELECT ${cappedCountSql(Prisma.sql`SELECT 1 FROM clients c WHERE ${Prisma.join(countConds, " AND ")}`, MEETING_COUNT_CAP)} AS n`;
  return { sql, countSql };
}

/**
 * A page of meeting mode: the visible meeting clients in the meeting's order (priority, then attention, then name),
 * each with its attention, strength, points of contact, open follow-ups (communications and action items), its three
 * latest entries from other meetings, and this meeting's entry if it has one.
 */
export async function meetingClients(db: Db, user: CurrentUser, meetingId: string, filters: MeetingFilters, perPage = 20): Promise<MeetingClientPage> {
  const query = meetingClientsQuery(user, meetingId, filters, perPage);
  const [rows, count] = await Promise.all([
    sqlRows<Omit<MeetingClientRow, "attention" | "previous" | "current"> & { prank: number; arank: number; previous: RawEntry[]; current: RawEntry | null }>(db, query.sql),
    sqlRow<{ n: number }>(db, query.countSql),
  ]);
  const more = rows.length > perPage;
  const shown = rows.slice(0, perPage);
  const last = shown.at(-1);
  const attentionOf = ["", "urgent", "warning", "never", "ok"] as const;
  return {
    rows: shown.map(({ prank: _p, arank, previous, current, ...r }) => ({
      ...r,
      lastContactAt: jsonDate(r.lastContactAt),
      attention: attentionOf[arank] as MeetingClientRow["attention"],
      previous: previous.map(reviveEntry),
      current: current ? reviveEntry(current) : null,
    })),
    next: more && last ? encodeCursor([last.prank, last.arank, last.lastContactAt ? jsonDate(last.lastContactAt)!.toISOString().slice(0, 10) : "", last.id]) : undefined,
    total: Math.min(count.n, MEETING_COUNT_CAP),
    capped: count.n > MEETING_COUNT_CAP,
  };
}

// --- entries ------------------------------------------------------------------------------------------------------

/** A meeting's entries, for its minutes and exports: in the meeting's order (priority, then client name). */
export async function meetingEntries(db: Db, user: CurrentUser, meetingId: string): Promise<EntryRow[]> {
  const rows = await sqlRows<{ j: RawEntry }>(
    db,
    Prisma.sql`SELECT ${entryJson(user)} AS j FROM ${ENTRY_FROM}
      WHERE e.meeting_id = ${meetingId}::uuid AND ${entryConditions(user)}
      ORDER BY ${priorityRankSql("ec")}, ec.name, ec.id`,
  );
  return rows.map((r) => reviveEntry(r.j));
}

/** A client's entries, newest first, a page at a time, with the total (the client page shows the first three). */
export function clientEntries(db: Db, user: CurrentUser, clientId: string, page: { skip: number; perPage: number }): Promise<{ rows: EntryRow[]; total: number }> {
  return sqlRead(db, clientEntriesRead(user, clientId, page));
}

/** clientEntries as a read: the page and the total in one statement. */
function clientEntriesRead(user: CurrentUser, clientId: string, page: { skip: number; perPage: number }): JsonRead<{ rows: EntryRow[]; total: number }> {
  const where = Prisma.sql`e.client_id = ${clientId}::uuid AND ${entryConditions(user)}`;
  return jsonRead<{ rows: RawEntry[]; total: number }, { rows: EntryRow[]; total: number }>(
    Prisma.sql`SELECT
      (SELECT coalesce(json_agg(x.j ORDER BY x.created_at DESC, x.id DESC), '[]') FROM (
        SELECT ${entryJson(user)} AS j, e.created_at, e.id FROM ${ENTRY_FROM} WHERE ${where}
        ORDER BY e.created_at DESC, e.id DESC LIMIT ${page.perPage} OFFSET ${page.skip}) x) AS rows,
      (SELECT count(*)::int FROM ${ENTRY_FROM} WHERE ${where}) AS total`,
    ([row]) => ({ rows: row!.rows.map(reviveEntry), total: row!.total }),
  );
}

/** One entry of a meeting for a client, or null (the form's saved values). */
export async function meetingEntryFor(db: Db, user: CurrentUser, meetingId: string, clientId: string): Promise<EntryRow | null> {
  const [row] = await sqlRows<{ j: RawEntry }>(
    db,
    Prisma.sql`SELECT ${entryJson(user)} AS j FROM ${ENTRY_FROM} WHERE e.meeting_id = ${meetingId}::uuid AND e.client_id = ${clientId}::uuid AND ${entryConditions(user)}`,
  );
  return row ? reviveEntry(row.j) : null;
}

/** A client meeting mode may show an entry form for: visible to the user, with its name. */
export async function visibleClient(db: Db, user: CurrentUser, clientId: string): Promise<{ id: string; name: string } | undefined> {
  if (!isUuid(clientId)) return undefined;
  const [row] = await sqlRows<{ id: string; name: string }>(db, Prisma.sql`SELECT c.id, c.name FROM clients c WHERE c.id = ${clientId}::uuid AND ${visibleClientsSql(user, "c")}`);
  return row;
}

// --- action items as follow-ups -----------------------------------------------------------------------------------

export interface OpenActionItem {
  id: string;
  description: string;
  dueDate: Date;
  overdue: boolean;
  clientId: string;
  clientName: string;
  meetingId: string;
  meetingDate: Date;
  assigneeId: string;
  assigneeName: string;
}

/**
 * Open action items the actor may see (none off the relationship team; none of hidden clients), earliest due first,
 * with their exact count and how many are overdue today: `assigneeId` for someone's, `clientId` for a client's,
 * `overdueOn` (YYYY-MM-DD) for those due before that day. The dashboards count these beside communication follow-ups.
 */
export function openActionItemsRead(
  actor: CurrentUser,
  where: { assigneeId?: string; clientId?: string; overdueOn?: string } = {},
  limit = 50,
  offset = 0,
): JsonRead<OpenActionItems> {
  // The action item's rule carries its client's (through client_id): the joined client needs no second test.
  const conds = [Prisma.sql`a.completed_at IS NULL`, visibleRoundtableRowsSql(actor, "a")];
  if (where.assigneeId) conds.push(Prisma.sql`a.assignee_id = ${where.assigneeId}::uuid`);
  if (where.clientId) conds.push(Prisma.sql`a.client_id = ${where.clientId}::uuid`);
  if (where.overdueOn) conds.push(Prisma.sql`a.due_date < ${where.overdueOn}::date`);
  return jsonRead<Omit<OpenActionItem, "dueDate" | "meetingDate"> & { dueDate: string; meetingDate: string; total: number; overdueTotal: number }, OpenActionItems>(
    // Counted over the matching rows alone; the client, meeting and assignee are joined for the page's rows only.
    Prisma.sql`WITH open AS MATERIALIZED (
        SELECT a.id, a.due_date, a.created_at FROM roundtable_action_items a WHERE ${Prisma.join(conds, " AND ")}),
      counts AS (SELECT count(*)::int AS total, count(*) FILTER (WHERE o.due_date < current_date)::int AS overdue FROM open o),
      page AS (SELECT o.id FROM open o ORDER BY o.due_date, o.created_at, o.id LIMIT ${sqlInteger(limit)} OFFSET ${sqlInteger(offset)})
      SELECT a.id, a.description, a.due_date AS "dueDate", a.due_date < current_date AS overdue, a.client_id AS "clientId", c.name AS "clientName",
        e.meeting_id AS "meetingId", rm.meeting_date AS "meetingDate", a.assignee_id AS "assigneeId", u.name AS "assigneeName", n.total,
        n.overdue AS "overdueTotal"
      FROM page p JOIN roundtable_action_items a ON a.id = p.id JOIN clients c ON c.id = a.client_id JOIN users u ON u.id = a.assignee_id
        JOIN roundtable_entries e ON e.id = a.entry_id JOIN roundtable_meetings rm ON rm.id = e.meeting_id CROSS JOIN counts n
      ORDER BY a.due_date, a.created_at, a.id`,
    (rows) => ({
      count: rows[0]?.total ?? 0,
      overdue: rows[0]?.overdueTotal ?? 0,
      rows: rows.map(({ total: _t, overdueTotal: _o, ...r }) => ({ ...r, dueDate: jsonDate(r.dueDate)!, meetingDate: jsonDate(r.meetingDate)! })),
    }),
  );
}

export interface OpenActionItems {
  count: number;
  overdue: number;
  rows: OpenActionItem[];
}

export function openActionItems(
  db: Db,
  actor: CurrentUser,
  where: { assigneeId?: string; clientId?: string; overdueOn?: string } = {},
  limit = 50,
  offset = 0,
): Promise<OpenActionItems> {
  return sqlRead(db, openActionItemsRead(actor, where, limit, offset));
}

/**
 * The client page's section, as a read: the last three entries and how many there are; null off the relationship
 * team (nothing asked).
 */
export function clientRoundtableSectionRead(user: CurrentUser, clientId: string): JsonRead<{ rows: EntryRow[]; total: number } | null> {
  if (!seesRoundtable(user) || !isUuid(clientId)) return jsonRead(null, () => null);
  return clientEntriesRead(user, clientId, { skip: 0, perPage: 3 });
}

/** The latest entries the user may see, across clients, newest first (for the relationship team's dashboard). */
export async function recentEntries(db: Db, user: CurrentUser, limit = 5): Promise<EntryRow[]> {
  if (!seesRoundtable(user)) return [];
  const rows = await sqlRows<{ j: RawEntry }>(
    db,
    Prisma.sql`SELECT ${entryJson(user)} AS j FROM ${ENTRY_FROM} WHERE ${entryConditions(user)} ORDER BY e.created_at DESC, e.id DESC LIMIT ${sqlInteger(limit)}`,
  );
  return rows.map((r) => reviveEntry(r.j));
}
