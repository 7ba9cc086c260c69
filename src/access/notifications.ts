// THE access policy for notifications: a user reads only their own, and one about a client only while they may see
// that client (the client rule through notifications.client_id), so a notice cannot outlive its reader's access.
import { Prisma } from "../generated/prisma/client.ts";
import type { CurrentUser } from "./roles.ts";
import { visibleClientsSql } from "./clients.ts";

/** SQL on the notifications table (`alias`): the signed-in user's notices they may still see. */
export function visibleNotificationsSql(user: CurrentUser, alias = "n"): Prisma.Sql {
  const n = Prisma.raw(`"${alias}"`);
  return Prisma.sql`${n}.user_id = ${user.id}::uuid
    AND (${n}.client_id IS NULL OR ${n}.client_id IN (SELECT vc.id FROM clients vc WHERE ${visibleClientsSql(user, "vc")}))`;
}
