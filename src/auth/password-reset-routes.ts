// "Forgot password?": without SMTP the page says an administrator resets passwords; with SMTP, a link by email.
import { Router } from "express";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { parseForm, errorsOf } from "../web/forms.ts";
import { flash } from "../web/flash.ts";
import { requestContext } from "../web/context.ts";
import { ConflictError } from "../errors.ts";
import { MIN_PASSWORD_LENGTH } from "./passwords.ts";
import { RESET_LINK_INVALID, RESET_LINK_MINUTES, requestPasswordReset, resetPasswordWithToken, validResetToken, type ResetDeps } from "./password-reset.ts";

const forgotForm = z.object({
  email: z.string({ error: "Enter your email address." }).trim().min(1, "Enter your email address.").max(320, "That email address is too long.").pipe(z.email("Enter a valid email address.")),
});
const resetForm = z.object({
  newPassword: z.string({ error: "Choose a new password." }).min(1, "Choose a new password.").max(1024),
  confirmPassword: z.string({ error: "Repeat the new password." }).max(1024),
});

export function passwordResetRoutes(db: Db, deps: Omit<ResetDeps, "mailer" | "db"> & { mailer: ResetDeps["mailer"] | null }) {
  const router = Router();
  const byEmail = deps.mailer !== null;
  const showForgot = (status: number, res: import("express").Response, locals: Record<string, unknown> = {}) =>
    res.status(status).render("auth/forgot", { title: "Forgot your password?", byEmail, minutes: RESET_LINK_MINUTES, sent: false, values: {}, errors: {}, ...locals });

  router.get("/login/forgot", (req, res) => {
    if (req.user) return res.redirect("/account/password");
    showForgot(200, res);
  });

  router.post("/login/forgot", (req, res) => {
    if (!deps.mailer) return showForgot(200, res);
    const form = parseForm(forgotForm, req.body);
    const email = typeof req.body?.email === "string" ? req.body.email : "";
    if (!form.ok) return showForgot(422, res, { values: { email }, errors: form.errors });
    const resetDeps: ResetDeps = { ...deps, db, mailer: deps.mailer };
    // Not awaited: the answer is the same, and as quick, whether or not the address has an account.
    void requestPasswordReset(resetDeps, form.data.email, requestContext(req)).catch((error: unknown) => deps.logger.error({ err: error }, "password reset email failed"));
    showForgot(200, res, { sent: true });
  });

  router.get("/login/reset/:token", async (req, res) => {
    const account = byEmail ? await validResetToken(db, req.params.token) : null;
    if (!account) return res.status(410).render("auth/reset-invalid", { title: "Link expired", message: RESET_LINK_INVALID, byEmail });
    res.render("auth/reset", { title: "Choose a new password", token: req.params.token, email: account.email, minLength: MIN_PASSWORD_LENGTH, errors: {} });
  });

  router.post("/login/reset/:token", async (req, res) => {
    const token = req.params.token;
    const again = async (errors: Record<string, string>) => {
      const account = await validResetToken(db, token);
      if (!account) return res.status(410).render("auth/reset-invalid", { title: "Link expired", message: RESET_LINK_INVALID, byEmail });
      res.status(422).render("auth/reset", { title: "Choose a new password", token, email: account.email, minLength: MIN_PASSWORD_LENGTH, errors });
    };
    if (!byEmail) return res.status(410).render("auth/reset-invalid", { title: "Link expired", message: RESET_LINK_INVALID, byEmail });
    const form = parseForm(resetForm, req.body);
    if (!form.ok) return again(form.errors);
    try {
      await resetPasswordWithToken(db, token, form.data, requestContext(req));
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return again(errors);
      if (error instanceof ConflictError) return res.status(410).render("auth/reset-invalid", { title: "Link expired", message: error.message, byEmail });
      throw error;
    }
    flash(req, "success", "Your password has been changed and any signed-in sessions have ended. Sign in with your new password.");
    res.redirect("/login");
  });

  return router;
}
