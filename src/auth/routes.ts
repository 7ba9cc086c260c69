// Sign in, sign out, change own password.
import { Router, type Request } from "express";
import type passport from "passport";
import type { Db } from "../db/client.ts";
import { changeOwnPassword, recordLogout } from "./accounts.ts";
import { changePasswordForm, loginForm } from "./schemas.ts";
import { parseForm, errorsOf } from "../web/forms.ts";
import { flash } from "../web/flash.ts";
import { requestContext } from "../web/context.ts";
import { requireUser } from "../web/guards.ts";
import type { CurrentUser } from "../access/roles.ts";
import { MIN_PASSWORD_LENGTH } from "./passwords.ts";
import { beginSecondStep } from "./two-factor-routes.ts";

/** Only a path on this site, never another host. */
export function safeReturnTo(value: unknown): string {
  return typeof value === "string" && /^\/(?![/\\])/.test(value) && !value.startsWith("/login") ? value : "/";
}

function logIn(req: Request, user: CurrentUser): Promise<void> {
  return new Promise((resolve, reject) => req.logIn(user, (err) => (err ? reject(err) : resolve())));
}

function logOut(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.logout((err) => (err ? reject(err) : resolve())));
}

export function authRoutes(db: Db, auth: passport.PassportStatic) {
  const router = Router();

  router.get("/login", (req, res) => {
    if (req.user) return res.redirect("/");
    res.render("auth/login", { title: "Sign in", values: { returnTo: safeReturnTo(req.query.returnTo) }, errors: {} });
  });

  router.post("/login", async (req, res, next) => {
    const form = parseForm(loginForm, req.body);
    const values = { email: typeof req.body?.email === "string" ? req.body.email : "", returnTo: safeReturnTo(req.body?.returnTo) };
    if (!form.ok) return res.status(422).render("auth/login", { title: "Sign in", values, errors: form.errors });
    auth.authenticate("local", async (err: unknown, user: CurrentUser | false, info?: { message?: string; secondFactor?: "code" | "enrol" }) => {
      try {
        if (err) throw err;
        if (!user) return res.status(401).render("auth/login", { title: "Sign in", values, errors: {}, failure: info?.message });
        if (info?.secondFactor) {
          // The password was right; the session is signed in only after the code (or enrolment) step.
          await beginSecondStep(req, user, info.secondFactor, values.returnTo);
          return res.redirect(info.secondFactor === "code" ? "/login/code" : "/login/enrol");
        }
        await logIn(req, user); // passport regenerates the session id here
        if (user.mustChangePassword) {
          flash(req, "info", "Welcome. Choose a new password to continue.");
          return res.redirect("/account/password");
        }
        res.redirect(values.returnTo);
      } catch (error) {
        next(error);
      }
    })(req, res, next);
  });

  router.post("/logout", async (req, res) => {
    if (req.user) await recordLogout(db, req.user, requestContext(req));
    await logOut(req); // passport regenerates the session: the old cookie is worthless
    flash(req, "success", "You have been signed out.");
    res.redirect("/login");
  });

  router.get("/account/password", requireUser, (req, res) => {
    res.render("auth/change-password", { title: "Change password", errors: {}, minLength: MIN_PASSWORD_LENGTH, forced: req.user!.mustChangePassword });
  });

  router.post("/account/password", requireUser, async (req, res) => {
    const show = (errors: Record<string, string>) =>
      res.status(422).render("auth/change-password", { title: "Change password", errors, minLength: MIN_PASSWORD_LENGTH, forced: req.user!.mustChangePassword });
    const form = parseForm(changePasswordForm, req.body);
    if (!form.ok) return show(form.errors);
    let updated: CurrentUser;
    try {
      updated = await changeOwnPassword(db, req.user!, form.data, requestContext(req), req.sessionID);
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return show(errors);
      throw error;
    }
    await logIn(req, updated); // a new session id for the new password
    flash(req, "success", "Your password has been changed. Any other sessions of yours have been signed out.");
    res.redirect("/");
  });

  return router;
}
