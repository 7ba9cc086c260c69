// Attention over time, for the relationship dashboard's chart: how many clients were urgent (last contact over 90
// days before the day) and warning (over 60) at the end of each of the last 12 weeks. Computing that per request over
// 100,000 clients and their communications is far too slow, so a small table (attention_weekly_counts) holds the
// counts per week, split into unrestricted and restricted clients, and another (attention_weekly_restricted) which
// restricted clients were urgent or warning that week; a request reads those rows and adds, for a reader without
// "view confidential", the restricted clients of their own teams from the second table (a restricted client counts
// only for those who may see it). docs/dashboards.md explains the choice.
import type { Logger } from "pino";
import { Prisma } from "../generated/prisma/client.ts";
import type { Db } from "../db/client.ts";
import { sqlRows } from "../db/sql.ts";
import type { CurrentUser } from "../access/roles.ts";
import { visibleRestrictedClientIdsSql } from "../access/clients.ts";

/** Weeks the chart shows, the current one last. */
export const HISTORY_WEEKS = 12;

const DAY = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** The Monday (UTC) of the week holding `day`. */
export function weekStartOf(day: Date): Date {
  const d = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate()));
  return new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * DAY);
}

/** The last `weeks` Mondays up to the current week's, oldest first. */
export function recentWeeks(now = new Date(), weeks = HISTORY_WEEKS): Date[] {
  const current = weekStartOf(now).getTime();
  return Array.from({ length: weeks }, (_, i) => new Date(current - (weeks - 1 - i) * 7 * DAY));
}

/** The end of the day `asOf` (a date expression) as a timestamptz: the start of the next day, UTC. */
function endOfDaySql(asOf: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`((${asOf} + 1)::timestamp AT TIME ZONE 'UTC')`;
}

/**
 * A client's last contact as it stood at the end of `asOf` (a date expression): the client's own last contact when it
 * is not later (it only ever moves forward, so it was already the last one then), else the latest contact logged in
 * communications by that day (notes are not contacts): the first entry of the client's (client_id, occurred_at) index
 * read backwards from that day, rather than the maximum over all its earlier communications. `c` is the clients alias.
 */
function lastContactAsOfSql(asOf: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`CASE WHEN c.last_contact_at <= ${asOf} THEN c.last_contact_at
    ELSE (SELECT (m.occurred_at AT TIME ZONE 'UTC')::date FROM communications m
      WHERE m.client_id = c.id AND m.deleted_at IS NULL AND m.type <> 'note' AND m.occurred_at < ${endOfDaySql(asOf)}
      ORDER BY m.occurred_at DESC LIMIT 1) END`;
}

/**
 * Writes (or rewrites) one week's two count rows and its restricted clients' states as they stand at the end of
 * `asOf`, in one statement (so the two tables never disagree): each client existing then is looked at once
 * (`states`, materialized: its last contact worked out once per client); the counts group them by restriction, and the restricted ones that were urgent or warning replace the
 * week's rows of attention_weekly_restricted (an upsert and a delete of the rest, so two snapshots of the same week
 * at once both succeed).
 */
export async function snapshotWeek(db: Db, weekStart: Date, asOf: Date): Promise<void> {
  const day = Prisma.sql`${isoDay(asOf)}::date`;
  const week = Prisma.sql`${isoDay(weekStart)}::date`;
  await db.$executeRaw`
    WITH states AS MATERIALIZED (
        SELECT c.id, c.is_confidential AS restricted, ${lastContactAsOfSql(day)} AS last FROM clients c
        WHERE c.created_at < ${endOfDaySql(day)}),
      fresh AS (SELECT s.id, s.last < ${day} - 90 AS urgent FROM states s WHERE s.restricted AND s.last < ${day} - 60),
      gone AS (DELETE FROM attention_weekly_restricted r WHERE r.week_start = ${week} AND r.client_id NOT IN (SELECT f.id FROM fresh f)),
      states_kept AS (INSERT INTO attention_weekly_restricted (client_id, week_start, urgent) SELECT f.id, ${week}, f.urgent FROM fresh f
        ON CONFLICT (client_id, week_start) DO UPDATE SET urgent = EXCLUDED.urgent),
      counts AS (SELECT s.restricted,
          count(*) FILTER (WHERE s.last < ${day} - 90)::int AS urgent,
          count(*) FILTER (WHERE s.last < ${day} - 60 AND s.last >= ${day} - 90)::int AS warning,
          count(*) FILTER (WHERE s.last IS NULL)::int AS never,
          count(*)::int AS total
        FROM states s GROUP BY s.restricted)
    INSERT INTO attention_weekly_counts (week_start, restricted, as_of, urgent, warning, never, total, computed_at)
    SELECT ${week}, r.restricted, ${day}, coalesce(x.urgent, 0), coalesce(x.warning, 0), coalesce(x.never, 0), coalesce(x.total, 0), now()
    FROM (VALUES (false), (true)) r(restricted) LEFT JOIN counts x ON x.restricted = r.restricted
    ON CONFLICT (week_start, restricted) DO UPDATE SET as_of = EXCLUDED.as_of, urgent = EXCLUDED.urgent, warning = EXCLUDED.warning,
      never = EXCLUDED.never, total = EXCLUDED.total, computed_at = EXCLUDED.computed_at`;
}

/**
 * The daily job: the current week's counts as of today (rewritten each run, so a finished week keeps its last
 * day's), and any of the last 12 weeks without counts rebuilt from the communications history as of its Sunday.
 */
export async function runAttentionSnapshot(db: Db, now = new Date()): Promise<{ current: string; rebuilt: string[] }> {
  const weeks = recentWeeks(now);
  const current = weeks.at(-1)!;
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  await snapshotWeek(db, current, today);
  const have = new Set(
    (await db.attentionWeeklyCount.findMany({ where: { weekStart: { gte: weeks[0]! } }, select: { weekStart: true } })).map((r) => isoDay(r.weekStart)),
  );
  const rebuilt: string[] = [];
  for (const week of weeks.slice(0, -1)) {
    if (have.has(isoDay(week))) continue;
    await snapshotWeek(db, week, new Date(week.getTime() + 6 * DAY));
    rebuilt.push(isoDay(week));
  }
  // The chart shows 12 weeks: the clients' states of older weeks are not read again (their counts stay).
  await db.$executeRaw`DELETE FROM attention_weekly_restricted WHERE week_start < ${isoDay(weeks[0]!)}::date`;
  return { current: isoDay(current), rebuilt };
}

export interface AttentionWeek {
  weekStart: Date;
  /** The day the counts describe (the week's Sunday, or the day of the latest snapshot in the current week). */
  asOf: Date | null;
  urgent: number | null;
  warning: number | null;
}

/**
 * The chart's data for `user`: the last 12 weeks (null where no counts were kept). Unrestricted counts and, for
 * "view confidential" holders, restricted ones come from attention_weekly_counts; anyone else's restricted clients
 * (those on their teams now) are counted from their kept weekly states. The current week's counts are taken now if
 * the job has not yet.
 */
export async function attentionHistory(db: Db, user: CurrentUser, now = new Date()): Promise<AttentionWeek[]> {
  const weeks = recentWeeks(now);
  const from = weeks[0]!;
  let rows = await sqlRows<{ weekStart: Date; restricted: boolean; asOf: Date; urgent: number; warning: number }>(
    db,
    Prisma.sql`SELECT week_start AS "weekStart", restricted, as_of AS "asOf", urgent, warning FROM attention_weekly_counts
      WHERE week_start >= ${isoDay(from)}::date ORDER BY week_start`,
  );
  if (!rows.some((r) => isoDay(r.weekStart) === isoDay(weeks.at(-1)!))) {
    const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    await snapshotWeek(db, weeks.at(-1)!, today);
    return attentionHistory(db, user, now);
  }
  const restrictedSet = visibleRestrictedClientIdsSql(user);
  const own = new Map<string, { urgent: number; warning: number }>();
  if (restrictedSet) {
    // The reader's own restricted clients, as the job found them each week: their rows of attention_weekly_restricted,
    // a range of its key per client (a few hundred clients at most, each with up to 12 weeks).
    rows = rows.filter((r) => !r.restricted);
    const live = await sqlRows<{ weekStart: Date; urgent: number; warning: number }>(
      db,
      Prisma.sql`SELECT r.week_start AS "weekStart", count(*) FILTER (WHERE r.urgent)::int AS urgent, count(*) FILTER (WHERE NOT r.urgent)::int AS warning
        FROM attention_weekly_restricted r
        WHERE r.client_id IN (${restrictedSet}) AND r.week_start >= ${isoDay(from)}::date
        GROUP BY r.week_start`,
    );
    for (const l of live) own.set(isoDay(l.weekStart), { urgent: l.urgent, warning: l.warning });
  }
  return weeks.map((week) => {
    const mine = rows.filter((r) => isoDay(r.weekStart) === isoDay(week));
    if (!mine.length) return { weekStart: week, asOf: null, urgent: null, warning: null };
    const asOf = mine[0]!.asOf;
    const extra = own.get(isoDay(week)) ?? { urgent: 0, warning: 0 };
    return {
      weekStart: week,
      asOf,
      urgent: mine.reduce((n, r) => n + r.urgent, 0) + extra.urgent,
      warning: mine.reduce((n, r) => n + r.warning, 0) + extra.warning,
    };
  });
}

/** The app process's timer: a snapshot shortly after start and then every `everyMs` (hourly); returns a stop function. */
export function startAttentionSnapshotTimer(db: Db, logger: Logger, everyMs = 60 * 60 * 1000): () => void {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      const result = await runAttentionSnapshot(db);
      if (result.rebuilt.length) logger.info(result, "attention history rebuilt");
    } catch (error) {
      logger.error({ err: error }, "attention snapshot failed; retrying within the hour");
    } finally {
      running = false;
    }
  };
  const first = setTimeout(run, 15_000);
  const timer = setInterval(run, everyMs);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
