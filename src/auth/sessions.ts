// Sessions in PostgreSQL (shared by every app process, kept across restarts), with an idle timeout.
import session from "express-session";
import connectPgSimple from "connect-pg-simple";
import type pg from "pg";
import type { Tx } from "../db/client.ts";

export const SESSION_COOKIE = "clientdesk.sid";

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
  // express-session touches the stored session on every request to push the idle deadline back, and waits for that
  // write before finishing the response. Write only when the deadline moves by more than a minute: most requests then
  // match no row, and a statement that changes nothing commits without waiting for the disk.
  const touchSlackSeconds = Math.min(60, options.idleMinutes * 6);
  store.touch = (sid: string, sess: session.SessionData, callback?: (err?: unknown) => void) => {
    const expires = sess.cookie?.expires ? new Date(sess.cookie.expires).getTime() : Date.now() + options.idleMinutes * 60_000;
    options.pool
      .query(`UPDATE "session" SET expire = to_timestamp($1) WHERE sid = $2 AND expire < to_timestamp($1) - make_interval(secs => $3)`, [
        Math.round(expires / 1000),
        sid,
        touchSlackSeconds,
      ])
      .then(() => callback?.(), (error: unknown) => callback?.(error));
  };
  return {
    store,
    middleware: session({
      name: SESSION_COOKIE,
      secret: options.secret,
      store,
      resave: false,
      saveUninitialized: false,
      rolling: true, // each request pushes the idle deadline back
      proxy: undefined, // follows Express's "trust proxy"
      cookie: {
        httpOnly: true,
        sameSite: "lax",
        secure: "auto", // Secure whenever the request came over HTTPS (directly or via a trusted proxy)
        maxAge: options.idleMinutes * 60_000,
      },
    }),
  };
}

/**
 * Ends every session of a user at once (deactivation, password reset, a password change elsewhere), in the caller's
 * transaction; `exceptSessionId` keeps the session making the change.
 */
export async function endSessionsOf(tx: Pick<Tx, "$executeRaw">, userId: string, exceptSessionId?: string): Promise<number> {
  return tx.$executeRaw`DELETE FROM "session" WHERE sess -> 'passport' ->> 'user' = ${userId} AND sid IS DISTINCT FROM ${exceptSessionId ?? null}`;
}
