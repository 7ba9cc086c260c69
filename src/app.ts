// Builds the Express app: middleware in order, then each feature's routes.
import express from "express";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { pinoHttp } from "pino-http";
import type { Logger } from "pino";
import type { Config } from "./config.ts";
import type { Database } from "./db/client.ts";
import { can } from "./access/roles.ts";
import { seesRoundtable } from "./access/roundtable.ts";
import { configurePassport } from "./auth/passport.ts";
import { sessionMiddleware } from "./auth/sessions.ts";
import { createLoginThrottle } from "./auth/throttle.ts";
import { authRoutes } from "./auth/routes.ts";
import { usersAdminRoutes } from "./auth/users-routes.ts";
import { accountTwoFactorRoutes, securityAdminRoutes, signInTwoFactorRoutes } from "./auth/two-factor-routes.ts";
import { loadTwoFactorKey, secretBox } from "./auth/two-factor-crypto.ts";
import { passwordResetRoutes } from "./auth/password-reset-routes.ts";
import { appUrlOf, createMailer, type Mailer } from "./notifications/mail.ts";
import { categoryAdminRoutes } from "./categories/routes.ts";
import { auditRoutes } from "./audit/routes.ts";
import { dashboardRoutes } from "./dashboard/routes.ts";
import { clientRoutes } from "./clients/routes.ts";
import { logoRoutes } from "./clients/logo-routes.ts";
import { LOGO_UPLOAD_PATH } from "./clients/logo.ts";
import { contactRoutes } from "./contacts/routes.ts";
import { clientFeedbackRoutes } from "./feedback/routes.ts";
import { feedbackReportRoutes } from "./feedback/report-routes.ts";
import { notificationRoutes, unreadNotificationsLocal } from "./notifications/routes.ts";
import { COMMUNICATION_UPLOAD_PATHS, communicationRoutes } from "./communications/routes.ts";
import { caseRoutes } from "./cases/routes.ts";
import { caseTemplateAdminRoutes, caseTypeAdminRoutes } from "./case-types/routes.ts";
import { pipelineRoutes } from "./pipeline/routes.ts";
import { clientRoundtableRoutes, roundtableRoutes } from "./roundtable/routes.ts";
import { caseDocumentRoutes, documentRoutes, DOCUMENT_UPLOAD_PATHS } from "./documents/routes.ts";
import { documentTypeAdminRoutes } from "./documents/type-routes.ts";
import { createDocumentStorage } from "./documents/backend.ts";
import type { DocumentStorage } from "./documents/storage.ts";
import { getCase } from "./cases/service.ts";
import { csrf, csrfProtection } from "./web/csrf.ts";
import { onceGuard, onceKey } from "./web/once.ts";
import { takeFlash } from "./web/flash.ts";
import { errorHandler, notFound } from "./web/errors.ts";
import { databaseUnavailableReason } from "./db/unavailable.ts";
import { renderInLayout } from "./web/render.ts";
import { ejsEngine } from "./web/views.ts";
import { noStore, securityHeaders } from "./web/security.ts";
import { requirePasswordChanged, requirePermission, requireUser } from "./web/guards.ts";
import { withQuery } from "./web/pagination.ts";
import { formatterFor, localeFrom } from "./web/format.ts";

const ROOT = path.resolve(import.meta.dirname, "..");

export interface AppOptions {
  config: Config;
  database: Database;
  sessionSecret: string;
  logger: Logger;
  /** Email for password reset links; by default SMTP_URL's (none without it). */
  mailer?: Mailer | null;
  /** Document storage; by default the backend the configuration names. */
  storage?: DocumentStorage;
}

export function createApp({ config, database, sessionSecret, logger, storage = createDocumentStorage(config), mailer = createMailer(config) }: AppOptions) {
  const { prisma: db, pool } = database;
  const app = express();
  const documentSettings = { dataDir: config.DATA_DIR, maxBytes: Math.round(config.DOCUMENT_MAX_MB * 1024 * 1024) };
  app.locals.documentMaxBytes = documentSettings.maxBytes;
  app.disable("x-powered-by");
  // Pages are per-user and sent with Cache-Control: no-store, so an ETag is never used; computing one hashes every page.
  app.set("etag", false);
  app.set("trust proxy", config.TRUST_PROXY ? 1 : false);
  app.set("view engine", "ejs");
  app.set("views", path.join(ROOT, "views"));
  if (config.NODE_ENV === "production") app.enable("view cache");
  app.engine("ejs", ejsEngine(config.NODE_ENV === "production"));

  app.use(
    pinoHttp({
      logger,
      quietReqLogger: true, // req.log lines carry just the request id
      genReqId: (req, res) => {
        const given = req.headers["x-request-id"];
        const id = typeof given === "string" && /^[\w-]{8,64}$/.test(given) ? given : randomUUID();
        res.setHeader("X-Request-Id", id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === "/healthz" || (req.url ?? "").startsWith("/public/") },
      // Never log headers: they carry session cookies.
      serializers: {
        // A password reset link's token is a secret: never in the logs.
        req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({ id: req.id, method: req.method, url: req.url.replace(/^\/login\/reset\/[^/?#]+/, "/login/reset/[token]"), ip: req.remoteAddress }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(securityHeaders);
  app.use("/public", express.static(path.join(ROOT, "public"), { maxAge: "1h", index: false }));

  app.get("/healthz", async (_req, res) => {
    // At most 3 s: a database that hangs is reported as down rather than leaving the health check waiting.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error("timeout")), 3000)));
    try {
      await Promise.race([pool.query("SELECT 1"), timeout]);
      res.set("Cache-Control", "no-store").json({ status: "ok" });
    } catch (error) {
      const reason = (error as Error).message === "timeout" ? "the database did not answer within 3 s" : (databaseUnavailableReason(error) ?? "the database query failed");
      res.status(503).set("Cache-Control", "no-store").json({ status: "database unavailable", reason });
    } finally {
      clearTimeout(timer);
    }
  });

  // Browsers ask for /favicon.ico beside each page: answer before sessions, so it never redirects to sign-in or takes a flash message.
  app.get("/favicon.ico", (_req, res) => {
    res.status(204).set("Cache-Control", "public, max-age=86400").end();
  });

  app.use("/pipeline/leads/import", express.urlencoded({ extended: false, limit: "4mb", parameterLimit: 10 })); // pasted CSV of up to 1 MB
  app.use("/clients/import", express.urlencoded({ extended: false, limit: "4mb", parameterLimit: 10 })); // pasted CSV of up to 1 MB, URL-encoded
  app.use(express.urlencoded({ extended: false, limit: "100kb", parameterLimit: 500 }));
  app.use(express.json({ limit: "100kb" }));

  const sessions = sessionMiddleware({ pool, secret: sessionSecret, idleMinutes: config.SESSION_IDLE_MINUTES, prune: config.NODE_ENV !== "test" });
  app.use(sessions.middleware);
  const ipWindow = config.LOGIN_IP_WINDOW_MINUTES * 60;
  const ipThrottle = createLoginThrottle(pool, "ip", config.LOGIN_IP_MAX_ATTEMPTS, ipWindow);
  if (config.TWO_FACTOR_KEY) loadTwoFactorKey(config); // a malformed key stops the start, not the first sign-in
  const twoFactor = { db, config, ipThrottle, box: secretBox(() => loadTwoFactorKey(config)) };
  const auth = configurePassport({
    db,
    pool,
    signedInUserOf: sessions.signedInUserOf,
    config,
    ipThrottle,
    unknownEmailThrottle: createLoginThrottle(pool, "email", config.LOGIN_MAX_FAILURES, config.LOGIN_LOCK_MINUTES * 60),
  });
  app.use(auth.initialize());
  app.use(auth.session());

  app.use(noStore);
  app.use(renderInLayout);
  app.use(takeFlash);
  app.use((req, res, next) => {
    res.locals.currentUser = req.user;
    res.locals.can = can;
    res.locals.seesRoundtable = seesRoundtable;
    res.locals.path = req.path;
    res.locals.csrfToken = () => csrf.generateToken(req);
    res.locals.onceKey = onceKey;
    res.locals.withQuery = withQuery;
    res.locals.format = formatterFor(localeFrom(req.acceptsLanguages()));
    res.locals.values ??= {};
    res.locals.errors ??= {};
    next();
  });
  const once = onceGuard(pool);
  app.use(csrfProtection({ multipartRoutes: [LOGO_UPLOAD_PATH, ...DOCUMENT_UPLOAD_PATHS, ...COMMUNICATION_UPLOAD_PATHS] }));

  app.use(authRoutes(db, auth));
  app.use(signInTwoFactorRoutes(twoFactor));
  app.use(
    passwordResetRoutes(db, { mailer, appUrl: appUrlOf(config), logger, throttle: createLoginThrottle(pool, "reset", 3, config.LOGIN_LOCK_MINUTES * 60) }),
  );
  app.use(requireUser, requirePasswordChanged);
  app.set("onceGuard", once); // multipart forms: called by multipartWithCsrf after parsing
  app.use(once);
  app.use("/account/two-factor", accountTwoFactorRoutes(twoFactor));
  app.use(unreadNotificationsLocal(db));
  app.use("/", dashboardRoutes(db, { maxActiveCasesPerManager: config.CASE_MANAGER_MAX_ACTIVE_CASES }));
  app.use("/clients/:clientId/contacts", contactRoutes(db));
  app.use("/clients/:clientId/logo", logoRoutes(db, config));
  app.use("/clients/:clientId/feedback", clientFeedbackRoutes(db));
  app.use(communicationRoutes(db, storage, documentSettings));
  app.use(clientRoundtableRoutes(db));
  app.use("/clients", clientRoutes(db));
  app.use("/cases/:caseId/documents", caseDocumentRoutes(db, documentSettings, getCase));
  app.use("/documents", documentRoutes(db, storage, documentSettings));
  app.use("/feedback", feedbackReportRoutes(db));
  app.use("/notifications", notificationRoutes(db));
  app.use("/cases", caseRoutes(db, { maxActiveCasesPerManager: config.CASE_MANAGER_MAX_ACTIVE_CASES }));
  app.use("/roundtable", roundtableRoutes(db));
  app.use("/pipeline", pipelineRoutes(db, { maxActiveCasesPerManager: config.CASE_MANAGER_MAX_ACTIVE_CASES }));
  app.use("/admin/users", requirePermission("manageUsers"), usersAdminRoutes(db));
  app.use("/admin/categories", requirePermission("manageCategories"), categoryAdminRoutes(db));
  app.use("/admin/case-types", requirePermission("manageCaseTypes"), caseTypeAdminRoutes(db));
  app.use("/admin/case-templates", requirePermission("manageCaseTypes"), caseTemplateAdminRoutes(db));
  app.use("/admin/document-types", requirePermission("manageDocumentTypes"), documentTypeAdminRoutes(db));
  app.use("/admin/audit", requirePermission("readAuditLog"), auditRoutes(db));
  app.use("/admin/security", requirePermission("manageSecurity"), securityAdminRoutes(db));

  app.use(notFound);
  app.use(errorHandler({ development: config.NODE_ENV === "development" }));
  return { app, sessionStore: sessions.store, storage };
}
