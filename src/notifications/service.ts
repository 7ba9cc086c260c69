// Notifications: in-app notices for one user (the bell in the header), written by jobs and features. A notice with a
// dedupe key is written once, however often the job that writes it runs (a unique index holds that).
import { Prisma } from "../generated/prisma/client.ts";
import type { Db, Tx } from "../db/client.ts";
import { sqlRows } from "../db/sql.ts";
import type { CurrentUser } from "../access/roles.ts";
import { NotFoundError } from "../errors.ts";
import { isUuid } from "../web/fields.ts";
import { notificationById } from "./queries.ts";

export interface NewNotification {
  userId: string;
  kind: string;
  title: string;
  body?: string | null;
  /** A path inside the app, like /clients/…/feedback/new. */
  link?: string | null;
  /** The client the notice is about: it is shown only while its reader may see that client. */
  clientId?: string | null;
  dedupeKey?: string | null;
}

/** Writes the notices not written before (by dedupe key); returns those written now. */
export async function notify(db: Db | Tx, notices: NewNotification[]): Promise<WrittenNotification[]> {
  if (!notices.length) return [];
  // One statement (the dashboard writes the approvals it shows on each view, most of them written before): the rows
  // as one JSON parameter, a duplicate dedupe key skipped. Times are stored in UTC, as Prisma writes them.
  const rows = notices.map((n) => ({ user_id: n.userId, kind: n.kind, title: n.title, body: n.body ?? null, link: n.link ?? null, client_id: n.clientId ?? null, dedupe_key: n.dedupeKey ?? null }));
  return sqlRows<WrittenNotification>(db, Prisma.sql`
    INSERT INTO notifications (id, user_id, kind, title, body, link, client_id, dedupe_key, created_at)
    SELECT gen_random_uuid(), n.user_id, n.kind, n.title, n.body, n.link, n.client_id, n.dedupe_key, clock_timestamp() AT TIME ZONE 'UTC'
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS n(user_id uuid, kind text, title text, body text, link text, client_id uuid, dedupe_key text)
    ON CONFLICT DO NOTHING
    RETURNING id, user_id AS "userId", client_id AS "clientId", title, body, link`);
}

export interface WrittenNotification {
  id: string;
  userId: string;
  clientId: string | null;
  title: string;
  body: string | null;
  link: string | null;
}

export async function markNotificationRead(db: Db, user: CurrentUser, id: string): Promise<{ link: string | null }> {
  if (!isUuid(id)) throw new NotFoundError();
  const notice = await notificationById(db, user, id);
  if (!notice) throw new NotFoundError();
  if (!notice.readAt) await db.notification.updateMany({ where: { id, userId: user.id, readAt: null }, data: { readAt: new Date() } });
  return { link: notice.link };
}

export async function markAllNotificationsRead(db: Db, user: CurrentUser): Promise<number> {
  const { count } = await db.notification.updateMany({ where: { userId: user.id, readAt: null }, data: { readAt: new Date() } });
  return count;
}
