// passport-local strategy over attemptLogin, and the session <-> user mapping (checked on every request).
import passport from "passport";
import { Strategy as LocalStrategy } from "passport-local";
import type { Request } from "express";
import { currentUserColumnsSql, type CurrentUser } from "../access/roles.ts";
import type pg from "pg";
import { attemptLogin, type LoginDeps } from "./accounts.ts";
import { requestContext } from "../web/context.ts";

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends CurrentUser {}
  }
}

export function configurePassport(deps: LoginDeps & { pool: pg.Pool; signedInUserOf: (sid: string) => CurrentUser | null | undefined }): passport.PassportStatic {
  const instance = new passport.Passport() as unknown as passport.PassportStatic;
  instance.use(
    new LocalStrategy({ usernameField: "email", passwordField: "password", passReqToCallback: true }, (req: Request, email, password, done) => {
      attemptLogin(deps, email, password, requestContext(req)).then(
        (result) => (result.ok ? done(null, result.user, { message: "", secondFactor: result.secondFactor } as { message: string }) : done(null, false, { message: result.message })),
        (error: unknown) => done(error),
      );
    }),
  );
  instance.serializeUser<string>((user, done) => done(null, (user as CurrentUser).id));
  // An inactive or removed user has no session: passport drops it and the request is anonymous. The session store
  // reads the user along with the session (one round trip); anything else falls back to its own lookup.
  instance.deserializeUser<string>((req: Request, id: string, done: (err: unknown, user?: CurrentUser | false) => void) => {
    const read = deps.signedInUserOf(req.sessionID);
    if (read !== undefined) return done(null, read && read.id === id ? read : false);
    if (!/^[0-9a-f-]{36}$/i.test(id)) return done(null, false);
    deps.pool
      .query<CurrentUser>(
        `SELECT ${currentUserColumnsSql()} FROM users WHERE id = $1 AND active`,
        [id],
      )
      .then((result) => done(null, result.rows[0] ?? false), (error: unknown) => done(error));
  });
  return instance;
}
