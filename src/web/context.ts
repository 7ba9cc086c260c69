// The request facts the audit log records.
import type { Request } from "express";
import type { Actor, CurrentUser, RequestContext } from "../access/roles.ts";

export function requestContext(req: Request): RequestContext {
  return { ip: req.ip, userAgent: req.get("user-agent"), requestId: String(req.id ?? "") || undefined };
}

/** The signed-in user with the request context, as services expect. Only on routes behind requireUser. */
export function actorOf(req: Request): Actor {
  const user = req.user as CurrentUser | undefined;
  if (!user) throw new Error("actorOf used on a route without requireUser");
  return { ...user, context: requestContext(req) };
}
