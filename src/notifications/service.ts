// Notifications: in-app notices for one user (the bell in the header), written by jobs and features. A notice with a
// dedupe key is written once, however often the job that writes it runs (a unique index holds that).
import type { Db, Tx } from "../db/client.ts";
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
export async function notify(db: Db | Tx, notices: NewNotification[]) {
  if (!notices.length) return [];
  return db.notification.createManyAndReturn({ data: notices, skipDuplicates: true, select: { id: true, userId: true, clientId: true, title: true, body: true, link: true } });
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
