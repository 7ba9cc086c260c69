// Notification reads: the header's unread count and the notifications page, each through visibleNotificationsSql.
import { Prisma } from "../generated/prisma/client.ts";
import type { Db } from "../db/client.ts";
import { sqlRows } from "../db/sql.ts";
import { currentUserColumnsSql, type CurrentUser } from "../access/roles.ts";
import { visibleNotificationsSql } from "../access/notifications.ts";

export interface NotificationRow {
  id: string;
  kind: string;
  title: string;
  body: string | null;
  link: string | null;
  createdAt: Date;
  readAt: Date | null;
}

/** Unread notices, for the bell in the header. */
export async function unreadNotificationCount(db: Db, user: CurrentUser): Promise<number> {
  const [row] = await sqlRows<{ n: number }>(db, Prisma.sql`
    SELECT count(*)::int AS n FROM notifications n WHERE n.read_at IS NULL AND ${visibleNotificationsSql(user, "n")}`);
  return row?.n ?? 0;
}

/** The latest notices, unread first. */
export async function notificationList(db: Db, user: CurrentUser, limit = 100): Promise<NotificationRow[]> {
  return sqlRows<NotificationRow>(db, Prisma.sql`
    SELECT n.id, n.kind, n.title, n.body, n.link, n.created_at AS "createdAt", n.read_at AS "readAt"
    FROM notifications n WHERE ${visibleNotificationsSql(user, "n")}
    ORDER BY (n.read_at IS NULL) DESC, n.created_at DESC, n.id LIMIT ${limit}`);
}

/** One of the user's visible notices, or undefined (another user's, hidden and missing alike). */
export async function notificationById(db: Db, user: CurrentUser, id: string): Promise<{ id: string; link: string | null; readAt: Date | null } | undefined> {
  const [row] = await sqlRows<{ id: string; link: string | null; readAt: Date | null }>(db, Prisma.sql`
    SELECT n.id, n.link, n.read_at AS "readAt" FROM notifications n WHERE n.id = ${id}::uuid AND ${visibleNotificationsSql(user, "n")}`);
  return row;
}

/** A notice not yet e-mailed, for the daily digest. */
export interface PendingNotice {
  id: string;
  title: string;
  body: string | null;
  link: string | null;
}

/** The user's unread notices of `kinds` not yet e-mailed (still visible to them), oldest first. */
export async function unemailedNotices(db: Db, user: CurrentUser, kinds: string[], limit = 100): Promise<PendingNotice[]> {
  return sqlRows<PendingNotice>(db, Prisma.sql`
    SELECT n.id, n.title, n.body, n.link FROM notifications n
    WHERE n.read_at IS NULL AND n.emailed_at IS NULL AND n.kind = ANY(${kinds}::text[]) AND ${visibleNotificationsSql(user, "n")}
    ORDER BY n.created_at, n.id LIMIT ${limit}`);
}

/** Active users with unread notices of `kinds` not yet e-mailed (before visibility, which unemailedNotices applies). */
export async function usersWithUnemailedNotices(db: Db, kinds: string[]): Promise<CurrentUser[]> {
  return sqlRows<CurrentUser>(db, Prisma.sql`
    SELECT ${Prisma.raw(currentUserColumnsSql("u"))} FROM users u
    WHERE u.active AND u.id IN (SELECT n.user_id FROM notifications n WHERE n.read_at IS NULL AND n.emailed_at IS NULL AND n.kind = ANY(${kinds}::text[]))
    ORDER BY u.name, u.id`);
}

/** Active users who may approve some kind of stage (managers, administrators, the legal team): the digest asks each. */
export async function possibleApprovers(db: Db): Promise<CurrentUser[]> {
  return sqlRows<CurrentUser>(db, Prisma.sql`
    SELECT ${Prisma.raw(currentUserColumnsSql("u"))} FROM users u
    WHERE u.active AND (u.role IN ('admin', 'manager') OR u.legal_team) ORDER BY u.name, u.id`);
}
