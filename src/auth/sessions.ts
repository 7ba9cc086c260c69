// Sessions in PostgreSQL (shared by every app process, kept across restarts), with an idle timeout.
import session from "express-session";
import connectPgSimple from "connect-pg-simple";
import type pg from "pg";
import type { RequestHandler } from "express";
import type { Tx } from "../db/client.ts";
import { currentUserColumnsSql, type CurrentUser } from "../access/roles.ts";

export const SESSION_COOKIE = "clientdesk.sid";
/**
 * The cookie's name over HTTPS (directly, or through a proxy the app trusts, TRUST_PROXY): the `__Host-` prefix makes
 * browsers accept it only when Secure, for Path=/ and with no Domain, so no sibling subdomain or plain-HTTP page can set it.
 */
export const SECURE_SESSION_COOKIE = "__Host-clientdesk.sid";

export interface SessionOptions {
  pool: pg.Pool;
  secret: string;
  idleMinutes: number;
  /** Remove expired sessions every so often (off in tests, which end quickly). */
  prune?: boolean;
}

export function sessionMiddleware(options: SessionOptions) {
  const PgStore = connectPgSimple(session);
  const store = new PgStore({
    pool: options.pool,
    tableName: "session",
    createTableIfMissing: false, // the table comes from our migrations
    pruneSessionInterval: options.prune ? 15 * 60 : false,
  });
  // Each request reads its session and its signed-in user in ONE round trip: the user row (active users only) is
  // joined here and handed to passport's deserializeUser through `signedInUserOf`, so an account deactivated in the
  // database is still signed out on its next request.
  const signedInUsers = new Map<string, CurrentUser | null>();
  const storedExpiry = new Map<string, number>();
  store.get = (sid: string, callback: (err: unknown, session?: session.SessionData | null) => void) => {
    options.pool
      .query<{ sess: session.SessionData; expire_ms: string } & Partial<CurrentUser>>({
        name: "clientdesk_session_get", // prepared once per connection: this runs on every request
        text: `SELECT s.sess, (extract(epoch FROM s.expire::timestamptz) * 1000)::bigint AS expire_ms, ${currentUserColumnsSql("u")}
         FROM "session" s
         LEFT JOIN users u ON u.active AND u.id = CASE WHEN s.sess -> 'passport' ->> 'user' ~ '^[0-9a-f-]{36}$'
                                                     THEN (s.sess -> 'passport' ->> 'user')::uuid END
         WHERE s.sid = $1 AND s.expire >= to_timestamp($2)`,
        values: [sid, Date.now() / 1000],
      })
      .then((result) => {
        const row = result.rows[0];
        if (!row) return callback(null, null);
        const { sess, expire_ms, ...user } = row;
        // Both maps hold what the latest read of each session found; bounded, and emptied when they grow large.
        if (signedInUsers.size > 10_000) signedInUsers.clear();
        if (storedExpiry.size > 10_000) storedExpiry.clear();
        if ((sess as { passport?: { user?: string } }).passport?.user) signedInUsers.set(sid, user.id ? (user as CurrentUser) : null);
        else signedInUsers.delete(sid);
        storedExpiry.set(sid, Number(expire_ms));
        callback(null, sess);
        // express-session reads an error with code ENOENT as "no such session" and starts a new, signed-out one: a
        // database whose Unix socket is gone (stopped) gives exactly that code. Wrapped, it reaches the error page (503).
      }, (error: unknown) => callback(new Error("the session store could not be read", { cause: error })));
  };
  // express-session touches the stored session on every request to push the idle deadline back, and waits for that
  // write before finishing the response. Write only when the deadline moves by more than a minute.
  const touchSlackMs = Math.min(60, options.idleMinutes * 6) * 1000;
  store.touch = (sid: string, sess: session.SessionData, callback?: (err?: unknown) => void) => {
    const expires = sess.cookie?.expires ? new Date(sess.cookie.expires).getTime() : Date.now() + options.idleMinutes * 60_000;
    const stored = storedExpiry.get(sid);
    if (stored !== undefined && expires - stored < touchSlackMs) return callback?.();
    storedExpiry.set(sid, expires);
    options.pool
      .query(`UPDATE "session" SET expire = to_timestamp($1) WHERE sid = $2`, [expires / 1000, sid])
      .then(() => callback?.(), (error: unknown) => callback?.(error));
  };
  // A saved session (changed during the request) is written whole, deadline included: nothing left to touch.
  // A session this process read from the store is only ever updated, never inserted again: if it was ended while the
  // request ran (deactivation, password reset), saving it must not bring it back. New sessions are inserted.
  const set = store.set.bind(store);
  store.set = (sid: string, sess: session.SessionData, callback?: (err?: unknown) => void) => {
    const wasRead = storedExpiry.has(sid);
    storedExpiry.delete(sid);
    if (!wasRead) return set(sid, sess, callback);
    const expires = sess.cookie?.expires ? new Date(sess.cookie.expires).getTime() : Date.now() + options.idleMinutes * 60_000;
    options.pool
      .query(`UPDATE "session" SET sess = $2, expire = to_timestamp($3) WHERE sid = $1`, [sid, JSON.stringify(sess), expires / 1000])
      .then(() => callback?.(), (error: unknown) => callback?.(error));
  };
  const destroy = store.destroy.bind(store);
  store.destroy = (sid: string, callback?: (err?: unknown) => void) => {
    storedExpiry.delete(sid);
    signedInUsers.delete(sid);
    destroy(sid, callback);
  };
  const common = {
    secret: options.secret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true, // each request pushes the idle deadline back
    proxy: undefined, // follows Express's "trust proxy"
  };
  const cookie = { httpOnly: true, sameSite: "lax" as const, path: "/", maxAge: options.idleMinutes * 60_000 };
  // One store, two cookie names: a request over HTTPS gets the __Host- cookie (always Secure), plain HTTP the other.
  const overHttp = session({ ...common, name: SESSION_COOKIE, cookie: { ...cookie, secure: false } });
  // express-session sets `generate` (which makes each new session's cookie) on the store it is given: the HTTPS one
  // gets a view of the same store so that each keeps its own cookie settings.
  const overHttps = session({ ...common, store: Object.create(store) as typeof store, name: SECURE_SESSION_COOKIE, cookie: { ...cookie, secure: true } });
  /** The user read along with this session by the request's own `get` (it always runs first), if it was. */
  const signedInUserOf = (sid: string): CurrentUser | null | undefined => signedInUsers.get(sid);
  return {
    store,
    signedInUserOf,
    middleware: ((req, res, next) => (req.secure ? overHttps : overHttp)(req, res, next)) as RequestHandler,
  };
}

/**
 * Ends every session of a user at once (deactivation, password reset, a password change elsewhere), in the caller's
 * transaction; `exceptSessionId` keeps the session making the change.
 */
export async function endSessionsOf(tx: Pick<Tx, "$executeRaw">, userId: string, exceptSessionId?: string): Promise<number> {
  // Half-signed sessions too (right password, two-factor code not yet given): they must not finish after the change.
  return tx.$executeRaw`DELETE FROM "session"
    WHERE (sess -> 'passport' ->> 'user' = ${userId} OR sess -> 'twoFactorPending' ->> 'userId' = ${userId})
      AND sid IS DISTINCT FROM ${exceptSessionId ?? null}`;
}
