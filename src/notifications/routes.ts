// The notifications page (/notifications) and the unread count every page's header shows beside the bell.
import { Router, type RequestHandler } from "express";
import type { Db } from "../db/client.ts";
import { flash } from "../web/flash.ts";
import { notificationList, unreadNotificationCount } from "./queries.ts";
import { markAllNotificationsRead, markNotificationRead } from "./service.ts";

/** Sets res.locals.unreadNotifications for pages (GET requests for HTML); other requests skip the query. */
export function unreadNotificationsLocal(db: Db): RequestHandler {
  return async (req, res, next) => {
    if (req.method !== "GET" || !req.user || req.path.endsWith(".csv") || !req.accepts("html")) return next();
    res.locals.unreadNotifications = await unreadNotificationCount(db, req.user);
    next();
  };
}

export function notificationRoutes(db: Db) {
  const router = Router();

  router.get("/", async (req, res) => {
    res.render("notifications/index", { title: "Notifications", notifications: await notificationList(db, req.user!) });
  });

  router.post("/read-all", async (req, res) => {
    const count = await markAllNotificationsRead(db, req.user!);
    flash(req, "success", count ? `${count} notification${count === 1 ? "" : "s"} marked as read.` : "Nothing was unread.");
    res.redirect("/notifications");
  });

  // Opening a notice marks it read and follows its link.
  router.post("/:id/open", async (req, res) => {
    const { link } = await markNotificationRead(db, req.user!, String(req.params.id));
    res.redirect(link && link.startsWith("/") && !link.startsWith("//") ? link : "/notifications");
  });

  router.post("/:id/read", async (req, res) => {
    await markNotificationRead(db, req.user!, String(req.params.id));
    res.redirect("/notifications");
  });

  return router;
}
