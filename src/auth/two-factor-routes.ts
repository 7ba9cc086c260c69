// Pages of two-factor sign-in: the code step and forced enrolment of signing in (before the session is signed in),
// the account page (turn on, turn off, new recovery codes) and the administrators' security settings.
import { Router, type Request, type Response } from "express";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import type { CurrentUser } from "../access/roles.ts";
import { parseForm, errorsOf } from "../web/forms.ts";
import { flash } from "../web/flash.ts";
import { requestContext } from "../web/context.ts";
import { ConflictError } from "../errors.ts";
import {
  attemptCode,
  completeLogin,
  confirmEnrolment,
  disableTwoFactor,
  pendingSignInUser,
  regenerateRecoveryCodes,
  setTwoFactorPolicy,
  startEnrolment,
  TWO_FACTOR_POLICIES,
  twoFactorPolicy,
  twoFactorStatus,
  usersWithoutTwoFactor,
  type CodeStepDeps,
} from "./two-factor.ts";

/** How long the half-signed state (right password, code not yet given) lasts. */
export const CODE_STEP_MINUTES = 5;
/** Forced enrolment needs time to install an authenticator app. */
export const ENROL_STEP_MINUTES = 15;

export interface PendingSignIn {
  userId: string;
  mode: "code" | "enrol";
  until: number;
  returnTo: string;
}

declare module "express-session" {
  interface SessionData {
    twoFactorPending?: PendingSignIn;
  }
}

const codeForm = z.object({
  code: z.string({ error: "Enter the code." }).trim().min(1, "Enter the code.").max(40, "That is not a code."),
});
const disableForm = z.object({
  password: z.string({ error: "Enter your password." }).min(1, "Enter your password.").max(1024),
  code: z.string({ error: "Enter a code." }).trim().min(1, "Enter a code from your authenticator app or a recovery code.").max(40, "That is not a code."),
});
const regenerateForm = z.object({
  regeneratePassword: z.string({ error: "Enter your password." }).min(1, "Enter your password.").max(1024),
});
const policyForm = z.object({
  twoFactorRequired: z.enum(TWO_FACTOR_POLICIES, { error: "Choose who must use two-factor sign-in." }),
});

function regenerate(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
}
function logIn(req: Request, user: CurrentUser): Promise<void> {
  return new Promise((resolve, reject) => req.logIn(user, (err) => (err ? reject(err) : resolve())));
}

/** After the right password: a fresh session holding only who is half way through, for a few minutes. */
export async function beginSecondStep(req: Request, user: CurrentUser, mode: "code" | "enrol", returnTo: string) {
  await regenerate(req);
  const minutes = mode === "code" ? CODE_STEP_MINUTES : ENROL_STEP_MINUTES;
  req.session.twoFactorPending = { userId: user.id, mode, until: Date.now() + minutes * 60_000, returnTo };
}

function pendingOf(req: Request, mode: "code" | "enrol"): PendingSignIn | undefined {
  const pending = req.session.twoFactorPending;
  if (!pending || pending.mode !== mode) return undefined;
  if (pending.until < Date.now()) {
    delete req.session.twoFactorPending;
    return undefined;
  }
  return pending;
}

function startAgain(req: Request, res: Response) {
  delete req.session.twoFactorPending;
  flash(req, "info", "Your sign-in was not finished in time. Enter your email and password again.");
  res.redirect("/login");
}

/** Where a freshly signed-in user goes: a password chosen by someone else must be changed first. */
function afterSignIn(user: CurrentUser, returnTo: string) {
  return user.mustChangePassword ? "/account/password" : returnTo;
}

export type TwoFactorRouteDeps = CodeStepDeps;

export function signInTwoFactorRoutes(deps: TwoFactorRouteDeps) {
  const { db, box } = deps;
  const router = Router();

  router.get("/login/code", (req, res) => {
    if (req.user) return res.redirect("/");
    if (!pendingOf(req, "code")) return startAgain(req, res);
    res.render("auth/code", { title: "Enter your code", errors: {} });
  });

  router.post("/login/code", async (req, res) => {
    const pending = pendingOf(req, "code");
    if (!pending) return startAgain(req, res);
    const form = parseForm(codeForm, req.body);
    if (!form.ok) return res.status(422).render("auth/code", { title: "Enter your code", errors: form.errors });
    const result = await attemptCode(deps, pending.userId, form.data.code, requestContext(req));
    if (!result.ok) {
      if (result.ended) {
        delete req.session.twoFactorPending;
        return res.status(401).render("auth/login", { title: "Sign in", values: { returnTo: pending.returnTo }, errors: {}, failure: result.message });
      }
      return res.status(401).render("auth/code", { title: "Enter your code", errors: { code: result.message } });
    }
    await logIn(req, result.user); // a new session id; the half-signed state is left behind with the old one
    if (result.recoveryCodesLeft !== undefined) {
      flash(req, result.recoveryCodesLeft <= 3 ? "error" : "info", `You used a recovery code; ${result.recoveryCodesLeft} left. Make new ones on your two-factor page if you are running low.`);
    }
    if (result.user.mustChangePassword) flash(req, "info", "Welcome. Choose a new password to continue.");
    res.redirect(afterSignIn(result.user, pending.returnTo));
  });

  router.get("/login/enrol", async (req, res) => {
    if (req.user) return res.redirect("/");
    const pending = pendingOf(req, "enrol");
    const user = pending && (await pendingSignInUser(db, pending.userId));
    if (!user) return startAgain(req, res);
    let enrolment;
    try {
      enrolment = await startEnrolment(db, box, user);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      return startAgain(req, res); // set up meanwhile (another tab): sign in again, with a code this time
    }
    res.render("auth/enrol", { title: "Set up two-factor sign-in", enrolment, action: "/login/enrol", forced: true, errors: {} });
  });

  router.post("/login/enrol", async (req, res) => {
    const pending = pendingOf(req, "enrol");
    const user = pending && (await pendingSignInUser(db, pending.userId));
    if (!pending || !user) return startAgain(req, res);
    const again = async (status: number, errors: Record<string, string>) =>
      res.status(status).render("auth/enrol", { title: "Set up two-factor sign-in", enrolment: await startEnrolment(db, box, user), action: "/login/enrol", forced: true, errors });
    const form = parseForm(codeForm, req.body);
    if (!form.ok) return again(422, form.errors);
    const context = requestContext(req);
    let codes: string[];
    try {
      codes = await confirmEnrolment(db, box, user, form.data.code, context);
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return again(422, errors);
      if (error instanceof ConflictError) return startAgain(req, res);
      throw error;
    }
    const signedIn = await completeLogin(db, user.id, user.email, context, "totp_enrolment");
    await logIn(req, signedIn);
    res.render("auth/recovery-codes", { title: "Your recovery codes", codes, next: afterSignIn(signedIn, pending.returnTo), fresh: true });
  });

  return router;
}

export function accountTwoFactorRoutes(deps: TwoFactorRouteDeps) {
  const { db, box } = deps;
  const router = Router();
  const actorOf = (req: Request) => ({ ...req.user!, context: requestContext(req) });

  const showAccount = async (req: Request, res: Response, status = 200, errors: Record<string, string> = {}, form?: string) =>
    res.status(status).render("auth/two-factor", { title: "Two-factor sign-in", status: await twoFactorStatus(db, req.user!), errors, form });

  router.get("/", async (req, res) => showAccount(req, res));

  router.get("/enrol", async (req, res) => {
    try {
      const enrolment = await startEnrolment(db, box, req.user!);
      res.render("auth/enrol", { title: "Set up two-factor sign-in", enrolment, action: "/account/two-factor/enrol", forced: false, errors: {} });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      flash(req, "info", error.message);
      res.redirect("/account/two-factor");
    }
  });

  router.post("/enrol", async (req, res) => {
    const again = async (status: number, errors: Record<string, string>) =>
      res.status(status).render("auth/enrol", { title: "Set up two-factor sign-in", enrolment: await startEnrolment(db, box, req.user!), action: "/account/two-factor/enrol", forced: false, errors });
    const form = parseForm(codeForm, req.body);
    if (!form.ok) return again(422, form.errors);
    try {
      const codes = await confirmEnrolment(db, box, req.user!, form.data.code, requestContext(req));
      res.render("auth/recovery-codes", { title: "Your recovery codes", codes, next: "/account/two-factor", fresh: true });
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return again(422, errors);
      if (error instanceof ConflictError) {
        flash(req, "info", error.message);
        return res.redirect("/account/two-factor");
      }
      throw error;
    }
  });

  router.post("/disable", async (req, res) => {
    const form = parseForm(disableForm, req.body);
    if (!form.ok) return showAccount(req, res, 422, form.errors, "disable");
    try {
      await disableTwoFactor(db, box, actorOf(req), form.data);
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return showAccount(req, res, 422, errors, "disable");
      if (error instanceof ConflictError) return showAccount(req, res, 409, { _form: error.message }, "disable");
      throw error;
    }
    flash(req, "success", "Two-factor sign-in is off. Your recovery codes no longer work.");
    res.redirect("/account/two-factor");
  });

  router.post("/recovery-codes", async (req, res) => {
    const form = parseForm(regenerateForm, req.body);
    if (!form.ok) return showAccount(req, res, 422, form.errors, "regenerate");
    try {
      const codes = await regenerateRecoveryCodes(db, actorOf(req), form.data.regeneratePassword);
      res.render("auth/recovery-codes", { title: "Your recovery codes", codes, next: "/account/two-factor", fresh: false });
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return showAccount(req, res, 422, { regeneratePassword: errors.password ?? "Check your password." }, "regenerate");
      if (error instanceof ConflictError) return showAccount(req, res, 409, { _form: error.message }, "regenerate");
      throw error;
    }
  });

  return router;
}

export function securityAdminRoutes(db: Db) {
  const router = Router();
  const actorOf = (req: Request) => ({ ...req.user!, context: requestContext(req) });
  const show = async (req: Request, res: Response, status = 200, errors: Record<string, string> = {}) => {
    const policy = await twoFactorPolicy(db);
    res.status(status).render("security/index", { title: "Security", policy, values: { twoFactorRequired: policy }, missing: await usersWithoutTwoFactor(db, actorOf(req), policy), errors });
  };
  router.get("/", async (req, res) => show(req, res));
  router.post("/", async (req, res) => {
    const form = parseForm(policyForm, req.body);
    if (!form.ok) return show(req, res, 422, form.errors);
    await setTwoFactorPolicy(db, actorOf(req), form.data.twoFactorRequired);
    flash(req, "success", "Security settings saved. Users the policy covers who have not set up two-factor sign-in must do so at their next sign-in.");
    res.redirect("/admin/security");
  });
  return router;
}
