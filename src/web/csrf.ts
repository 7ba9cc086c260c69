// CSRF protection (synchroniser token kept in the session) on every state-changing request.
import { csrfSync } from "csrf-sync";
import type { Request, RequestHandler } from "express";

export const csrf = csrfSync({
  size: 32,
  // Forms post `_csrf`; scripts send the X-CSRF-Token header.
  getTokenFromRequest: (req: Request) => {
    const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
    return typeof fromBody === "string" ? fromBody : req.get("x-csrf-token");
  },
});

export function isCsrfError(error: unknown): boolean {
  return error === csrf.invalidCsrfTokenError || (error as { code?: string } | null)?.code === "EBADCSRFTOKEN";
}

/** Whether the request carries a multipart body (the same test multer applies before parsing). */
function isMultipart(req: Request): boolean {
  return Boolean(req.is("multipart"));
}

/**
 * The app-wide check. Multipart bodies are parsed only by multer inside their route, so here a multipart request
 * has no `_csrf` yet: it is checked now (header token only, so it is refused without one) unless it is a POST to one
 * of `multipartRoutes`, whose route must verify the token after parsing with `multipartWithCsrf`.
 */
export function csrfProtection(options: { multipartRoutes?: readonly RegExp[] } = {}): RequestHandler {
  const deferred = options.multipartRoutes ?? [];
  return (req, res, next) => {
    if (req.method === "POST" && isMultipart(req) && deferred.some((route) => route.test(req.path))) return next();
    csrf.csrfSynchronisedProtection(req, res, next);
  };
}

/**
 * Runs a multer middleware, then verifies the CSRF token from the parsed form (or the header) before anything else
 * sees the upload. A token that does not match wins over an upload error (too large, wrong field): 403 either way.
 */
export function multipartWithCsrf(upload: RequestHandler): RequestHandler {
  return (req, res, next) => {
    upload(req, res, (uploadError?: unknown) => {
      if (!csrf.isRequestValid(req)) return next(csrf.invalidCsrfTokenError);
      if (!uploadError) return onceAfterParsing(req, res, next);
      next(uploadError);
    });
  };
}

/** The one-time form key (src/web/once.ts) of a multipart form is in the parsed form only after parsing: its guard
 * (set on the app as "onceGuard") runs then. */
export const onceAfterParsing: RequestHandler = (req, res, next) => {
  const once = req.app.get("onceGuard") as RequestHandler | undefined;
  return once ? once(req, res, next) : next();
};
