// Maps thrown errors to pages: typed service errors, CSRF, oversized bodies, and everything else as a 500.
import type { ErrorRequestHandler, RequestHandler, Response } from "express";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../errors.ts";
import { isCsrfError } from "./csrf.ts";
import { databaseUnavailableReason } from "../db/unavailable.ts";

export const notFound: RequestHandler = (_req, res) => {
  res.status(404).render("errors/404", { title: "Page not found" });
};

export const UNAVAILABLE_MESSAGE =
  "Clientdesk cannot reach its database just now. If you were saving something, it may not have been saved: check it once the page loads again. Please try again in a minute.";

export function errorHandler(options: { development: boolean }): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    // The database stopped, restarting or refusing connections: a 503 that says so (never a stack trace, even in
    // development), for pages, forms and the session store alike. The pool reconnects by itself once it is back.
    const unavailable = databaseUnavailableReason(error);
    if (unavailable) {
      req.log?.warn({ reason: unavailable, err: (error as Error)?.message }, "database unavailable");
      if (res.headersSent) return res.end();
      res.status(503).set({ "Cache-Control": "no-store", "Retry-After": "10" });
      if (!req.accepts("html") || req.path.startsWith("/api/")) return res.json({ error: UNAVAILABLE_MESSAGE, requestId: req.id });
      return renderInLayoutAnyway(res, "errors/503", { title: "Temporarily unavailable", message: UNAVAILABLE_MESSAGE, requestId: req.id });
    }
    const status = statusOf(error);
    if (status >= 500) req.log?.error({ err: error }, "request failed");
    else req.log?.info({ status, error: (error as Error)?.message }, "request refused");
    if (res.headersSent) return res.end();
    const wantsJson = !req.accepts("html") || req.path.startsWith("/api/");
    const message = publicMessage(error, status);
    res.status(status).set("Cache-Control", "no-store"); // also for errors raised before the noStore middleware
    if (wantsJson) return res.json({ error: message, requestId: req.id });
    const view = status === 404 ? "errors/404" : status === 403 ? "errors/403" : status >= 500 ? "errors/500" : "errors/400";
    renderInLayoutAnyway(res, view, {
      title: status === 404 ? "Page not found" : status === 403 ? "Not allowed" : status >= 500 ? "Something went wrong" : "Request not accepted",
      message,
      requestId: req.id,
      detail: options.development && status >= 500 ? String((error as Error)?.stack ?? error) : undefined,
    });
  };
}

/**
 * Errors raised before the layout middleware (body too large, session store down) still get a whole page:
 * the view, then the layout with defaults for the locals that middleware would have set.
 */
function renderInLayoutAnyway(res: Response, view: string, locals: Record<string, unknown>) {
  res.render(view, { ...locals, layout: false }, (viewError: Error | null, body?: string) => {
    if (viewError) return res.type("text/plain").send(String(locals.message));
    const layoutLocals = { currentUser: res.locals.currentUser ?? null, flash: res.locals.flash ?? [], ...locals, body, layout: false };
    res.render("layout", layoutLocals, (layoutError: Error | null, html?: string) => res.send(layoutError ? body : html));
  });
}

function statusOf(error: unknown): number {
  if (error instanceof NotFoundError) return 404;
  if (error instanceof ForbiddenError || isCsrfError(error)) return 403;
  if (error instanceof ValidationError) return 422;
  if (error instanceof ConflictError) return 409;
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === "number" && status >= 400 && status < 600 ? status : 500;
}

function publicMessage(error: unknown, status: number): string {
  if (isCsrfError(error)) return "This form has expired or was not sent from Clientdesk. Go back, reload the page and try again.";
  if (error instanceof NotFoundError) return "We could not find that page or record.";
  if (error instanceof ForbiddenError || error instanceof ConflictError || error instanceof ValidationError) return error.message;
  if (status === 413) return "What you sent is too large.";
  if (status === 400) return "The request could not be understood.";
  if (status < 500) return "The request was not accepted.";
  return "An unexpected error occurred. It has been logged; please try again.";
}
