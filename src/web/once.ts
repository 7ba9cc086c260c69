// One-time form keys (docs/double-submit.md): every POST form carries a hidden `_once` key (onceKey(), an EJS local
// beside csrfToken()). The first request with a key claims it in form_submissions; when it ends in a redirect (or a
// 201 Created), its status and Location are stored before the response is sent. A concurrent duplicate waits for
// the first to finish and gets the same redirect; a later one (a double click, a browser retry, a resubmitted page)
// gets it at once. An attempt that fails (a 4xx form error, a 5xx) or answers with a page or a file releases the key,
// so a corrected resubmission (or a second download) works. Requests without a key (API, scripts, tests) are untouched.
import { randomBytes } from "node:crypto";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type pg from "pg";
import { ConflictError } from "../errors.ts";

/** A fresh key for one rendering of a form: 24 URL-safe characters (144 random bits). */
export function onceKey(): string {
  return randomBytes(18).toString("base64url");
}

const KEY = /^[A-Za-z0-9_-]{16,64}$/;
/** How long a duplicate waits for the first request before giving up (409), and how often it looks. */
const WAIT_MS = 30_000;
const POLL_MS = 40;
/** A claim still pending after this long belongs to a request that died (a crashed process): the next one takes it over. */
const ABANDONED_SECONDS = 120;
/** Keys are kept a day; the purge runs at most once a minute per process, as a cheap indexed delete. */
const KEEP = "1 day";
const PURGE_EVERY_MS = 60_000;

/** The path (and query) of a same-origin URL such as a Referer, or undefined. */
function samePath(url: string | undefined, req: Request): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.host === req.get("host") ? parsed.pathname + parsed.search : undefined;
  } catch {
    return undefined;
  }
}

/** The key a request carries: the `_once` form field, or the X-Once-Key header (scripts). */
export function onceKeyOf(req: Request): string | undefined {
  const fromBody = (req.body as Record<string, unknown> | undefined)?._once;
  const key = typeof fromBody === "string" ? fromBody : req.get("x-once-key");
  return key && KEY.test(key) ? key : undefined;
}

interface Claim {
  status: "pending" | "done";
  user_id: string;
  response_status: number | null;
  location: string | null;
}

/** A duplicate that cannot be given the first request's redirect: the error page says why (409). */
export class DuplicateSubmissionError extends ConflictError {}

/**
 * The guard, for POSTs of a signed-in user. Mounted app-wide after sign-in (urlencoded and JSON bodies are parsed by
 * then); multipart forms are parsed inside their routes, where multipartWithCsrf calls the same guard after parsing
 * (it finds it as the app setting "onceGuard").
 */
export function onceGuard(pool: pg.Pool): RequestHandler {
  let lastPurge = 0;
  const purge = () => {
    if (Date.now() - lastPurge < PURGE_EVERY_MS) return;
    lastPurge = Date.now();
    pool.query(`DELETE FROM form_submissions WHERE created_at < now() - interval '${KEEP}'`).catch(() => undefined);
  };

  const claim = async (key: string, userId: string, req: Request): Promise<Claim | "claimed"> => {
    const inserted = await pool.query(
      `INSERT INTO form_submissions (key, user_id, method, path, status) VALUES ($1, $2, $3, $4, 'pending') ON CONFLICT (key) DO NOTHING`,
      [key, userId, req.method, req.originalUrl.slice(0, 2000)],
    );
    if (inserted.rowCount === 1) return "claimed";
    // A pending claim of a request that died is taken over.
    const taken = await pool.query(
      `UPDATE form_submissions SET created_at = now() WHERE key = $1 AND user_id = $2 AND status = 'pending' AND created_at < now() - make_interval(secs => $3)`,
      [key, userId, ABANDONED_SECONDS],
    );
    if (taken.rowCount === 1) return "claimed";
    const { rows } = await pool.query<Claim>(
      `SELECT status, user_id, response_status, location FROM form_submissions WHERE key = $1`,
      [key],
    );
    return rows[0] ?? claim(key, userId, req); // released meanwhile: claim it again
  };

  /** Stores the outcome (a redirect or a 201) or releases the key; runs before the response leaves. */
  const settle = async (key: string, req: Request, res: Response) => {
    const status = res.statusCode;
    // A 201 (a section re-rendered for a script) without a Location: a duplicate goes back to the page it came from.
    const location = res.get("Location") ?? (status === 201 ? samePath(req.get("Referer"), req) : undefined);
    if ((status >= 300 && status < 400 && location) || status === 201) {
      await pool.query(
        `UPDATE form_submissions SET status = 'done', response_status = $2, location = $3, finished_at = now() WHERE key = $1`,
        [key, status, location ?? null],
      );
    } else {
      await pool.query(`DELETE FROM form_submissions WHERE key = $1 AND status = 'pending'`, [key]);
    }
  };

  return async (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== "POST" || res.locals.onceKeyClaimed) return next();
    const key = onceKeyOf(req);
    const userId = (req.user as { id?: string } | undefined)?.id;
    if (!key || !userId) return next();
    try {
      purge();
      const started = Date.now();
      for (;;) {
        const outcome = await claim(key, userId, req);
        if (outcome === "claimed") break;
        if (outcome.user_id !== userId) throw new DuplicateSubmissionError("This form was already sent.");
        if (outcome.status === "done") {
          // The same answer as the first request: its redirect (or, for a 201 without a location, a plain refusal).
          if (outcome.location) return res.redirect(outcome.response_status && outcome.response_status >= 300 && outcome.response_status < 400 ? outcome.response_status : 303, outcome.location);
          throw new DuplicateSubmissionError("This form was already sent and saved.");
        }
        if (Date.now() - started > WAIT_MS) throw new DuplicateSubmissionError("This form is still being saved; reload the page in a moment.");
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    } catch (error) {
      return next(error);
    }
    res.locals.onceKeyClaimed = true;
    // Hold the end of the response until the outcome is stored, so a duplicate arriving after it sees it.
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    let settled = false;
    res.end = ((...args: unknown[]) => {
      if (settled) return end(...args);
      settled = true;
      settle(key, req, res).then(
        () => end(...args),
        () => end(...args),
      );
      return res;
    }) as Response["end"];
    next();
  };
}
