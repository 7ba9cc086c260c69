// Reads for the relationship team's dashboard (/dashboard/relationship): recent roundtable entries of clients the
// reader may see, visible clients by priority and by relationship status, and attention over time. Every read goes
// through src/access/ (visibleRoundtableRowsSql, clientRuleByClassSql).
import { Prisma } from "../generated/prisma/client.ts";
import type { Db } from "../db/client.ts";
import { jsonDate, jsonRead, keptCountRowsSql, sqlInteger, sqlReads, type JsonRead } from "../db/sql.ts";
import type { CurrentUser } from "../access/roles.ts";
import { clientRuleByClassSql } from "../access/clients.ts";
import { visibleRoundtableRowsSql } from "../access/roundtable.ts";
import { PRIORITIES, RELATIONSHIP_STATUSES } from "../clients/schemas.ts";
import { attentionHistory } from "./attention-history.ts";

export interface RecentEntry {
  id: string;
  meetingId: string;
  meetingDate: Date;
  clientId: string;
  clientName: string;
  authorName: string;
  nextSteps: string | null;
  nearTermFocus: string | null;
  savedAt: Date;
}

/** The latest saved roundtable entries of visible clients (drafts are not shown). */
export function recentRoundtableEntriesRead(user: CurrentUser, limit = 10): JsonRead<RecentEntry[]> {
  return jsonRead<RecentEntry, RecentEntry[]>(
    Prisma.sql`SELECT e.id, e.meeting_id AS "meetingId", rm.meeting_date AS "meetingDate", c.id AS "clientId", c.name AS "clientName",
        a.name AS "authorName", e.next_steps AS "nextSteps", e.near_term_focus AS "nearTermFocus", e.saved_at AS "savedAt"
      FROM roundtable_entries e JOIN roundtable_meetings rm ON rm.id = e.meeting_id JOIN clients c ON c.id = e.client_id
      JOIN users a ON a.id = e.author_id
      WHERE e.saved_at IS NOT NULL AND ${visibleRoundtableRowsSql(user, "e")}
      ORDER BY e.created_at DESC, e.id DESC LIMIT ${sqlInteger(limit)}`,
    (rows) => rows.map((r) => ({ ...r, meetingDate: jsonDate(r.meetingDate)!, savedAt: jsonDate(r.savedAt)! })),
  );
}

export interface AssessmentCounts {
  byPriority: { value: string | null; count: number }[];
  byRelationship: { value: string | null; count: number }[];
  total: number;
}

/**
 * Visible clients by priority and by relationship status, every value listed, unset last. The counts are kept per
 * class of clients (unrestricted, restricted) in client_assessment_counts by triggers: a reader takes the classes the
 * client rule admits whole, plus the clients it admits one by one (restricted clients on their teams, a handful read
 * from their set: clientRuleByClassSql).
 */
export function clientsByAssessmentRead(user: CurrentUser): JsonRead<AssessmentCounts> {
  const { classVisible, individuallyVisible } = clientRuleByClassSql(user);
  const classes = Prisma.sql`SELECT s.priority, s.relationship, s.n::int AS n FROM ${keptCountRowsSql("client_assessment_counts", ["priority", "relationship", "is_confidential"])} s WHERE s.n > 0 AND ${classVisible(Prisma.sql`s.is_confidential`)}`;
  return jsonRead<{ priority: string; relationship: string; n: number }, AssessmentCounts>(
    individuallyVisible
      ? Prisma.sql`${classes}
          UNION ALL
          SELECT coalesce(c.priority::text, ''), coalesce(c.relationship_status::text, ''), count(*)::int FROM clients c
          WHERE ${individuallyVisible({ id: Prisma.sql`c.id`, restricted: Prisma.sql`c.is_confidential` })} GROUP BY 1, 2`
      : classes,
    (rows) => {
      const tally = (column: "priority" | "relationship", values: readonly string[]) => {
        const found = new Map<string, number>();
        for (const r of rows) found.set(r[column], (found.get(r[column]) ?? 0) + r.n);
        return [...values.map((value) => ({ value, count: found.get(value) ?? 0 })), { value: null, count: found.get("") ?? 0 }];
      };
      const total = rows.reduce((sum, r) => sum + r.n, 0);
      return { byPriority: tally("priority", PRIORITIES), byRelationship: tally("relationship", RELATIONSHIP_STATUSES), total };
    },
  );
}

/** The page's reads: the entries and the counts in one statement, beside the attention history's. */
export async function relationshipDashboardView(db: Db, user: CurrentUser) {
  const [[entries, assessment], history] = await Promise.all([
    sqlReads(db, [recentRoundtableEntriesRead(user), clientsByAssessmentRead(user)]),
    attentionHistory(db, user),
  ]);
  return { entries, assessment, history };
}
