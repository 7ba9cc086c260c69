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
