// Route guards: signed in, password changed, permission held.
import type { RequestHandler } from "express";
import { can, type Permission } from "../access/roles.ts";
import { ForbiddenError } from "../errors.ts";

export const requireUser: RequestHandler = (req, res, next) => {
  if (req.user) return next();
  if (req.method === "GET" && req.accepts("html")) {
    const returnTo = req.originalUrl.startsWith("/") && !req.originalUrl.startsWith("//") ? req.originalUrl : "/";
    return res.redirect(`/login?returnTo=${encodeURIComponent(returnTo)}`);
  }
  res.status(401).render("errors/401", { title: "Please sign in" });
};

/** Until the user has chosen a password of their own, every page sends them to the change-password form. */
export const requirePasswordChanged: RequestHandler = (req, res, next) => {
  if (!req.user?.mustChangePassword) return next();
  if (req.method === "GET") return res.redirect("/account/password");
  res.status(403).render("errors/403", { title: "Change your password first", message: "Choose a new password before continuing." });
};

/** Pages of a role the user does not hold answer 403 (records they may not see answer 404, in access/). */
export function requirePermission(permission: Permission): RequestHandler {
  return (req, _res, next) => {
    if (req.user && can[permission](req.user)) return next();
    next(new ForbiddenError("This page is for administrators."));
  };
}
