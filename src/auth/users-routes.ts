// Admin pages for user accounts.
import { Router, type Request, type Response } from "express";
import type { Db } from "../db/client.ts";
import { actorOf } from "../web/context.ts";
import { errorsOf, formValues, parseForm } from "../web/forms.ts";
import { flash } from "../web/flash.ts";
import { pageInfo, pageRequest } from "../web/pagination.ts";
import { ConflictError } from "../errors.ts";
import { ROLES } from "../access/roles.ts";
import { newUserForm, reasonForm, userFilters, userForm } from "./schemas.ts";
import { enrolmentOf, resetTwoFactor } from "./two-factor.ts";
import { createUser, deactivateUser, getUser, listUsers, reactivateUser, resetPassword, updateUser } from "./users-service.ts";

export function usersAdminRoutes(db: Db) {
  const router = Router();

  router.get("/", async (req, res) => {
    const filters = userFilters.parse(req.query);
    const page = pageRequest(req.query as Record<string, unknown>);
    const result = await listUsers(db, actorOf(req), filters, page);
    res.render("users/index", { title: "Users", ...result, filters, page: pageInfo(page, result.total), query: req.query, roles: ROLES });
  });

  const showForm = (res: Response, status: number, locals: Record<string, unknown>) =>
    res.status(status).render("users/form", { roles: ROLES, errors: {}, ...locals });

  router.get("/new", (_req, res) => showForm(res, 200, { title: "New user", values: { role: "staff" }, isNew: true }));

  router.post("/", async (req, res) => {
    const values = formValues(req.body);
    const form = parseForm(newUserForm, req.body);
    if (!form.ok) return showForm(res, 422, { title: "New user", values, errors: form.errors, isNew: true });
    try {
      const { id, generatedPassword } = await createUser(db, actorOf(req), form.data);
      if (generatedPassword) flash(req, "success", `User ${form.data.email} created. Give them this one-time password; they must change it when they sign in:`, generatedPassword);
      else flash(req, "success", `User ${form.data.email} created. They must change the password when they sign in.`);
      res.redirect(`/admin/users/${id}`);
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return showForm(res, 422, { title: "New user", values, errors, isNew: true });
      throw error;
    }
  });

  router.get("/:id", async (req, res) => {
    const user = await getUser(db, actorOf(req), req.params.id);
    const twoFactor = await enrolmentOf(db, user.id);
    res.render("users/show", { title: user.name, user, isSelf: user.id === req.user!.id, twoFactorEnabledAt: twoFactor.enabledAt, twoFactorPending: twoFactor.pending });
  });

  router.get("/:id/edit", async (req, res) => {
    const user = await getUser(db, actorOf(req), req.params.id);
    showForm(res, 200, { title: `Edit ${user.name}`, user, values: editValues(user), isNew: false });
  });

  router.post("/:id", async (req, res) => {
    const user = await getUser(db, actorOf(req), req.params.id);
    const values = formValues(req.body);
    const form = parseForm(userForm, req.body);
    const again = (status: number, errors: Record<string, string>, conflict?: string, fresh = values) =>
      showForm(res, status, { title: `Edit ${user.name}`, user, values: fresh, errors, isNew: false, conflict });
    if (!form.ok) return again(422, form.errors);
    try {
      await updateUser(db, actorOf(req), user.id, form.data);
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return again(422, errors);
      if (error instanceof ConflictError) {
        // Keep what the admin typed, but carry the fresh version stamp so a second save is deliberate.
        const latest = await getUser(db, actorOf(req), user.id);
        return again(409, {}, error.message, { ...values, updatedAt: latest.updatedAt.toISOString() });
      }
      throw error;
    }
    flash(req, "success", "User updated.");
    res.redirect(`/admin/users/${user.id}`);
  });

  router.post("/:id/deactivate", async (req, res) => {
    const form = parseForm(reasonForm, req.body);
    const id = String(req.params.id);
    await runAction(req, res, id, async () => {
      await deactivateUser(db, actorOf(req), id, form.ok ? form.data.reason : undefined);
      flash(req, "success", "User deactivated; their sessions have ended.");
    });
  });

  router.post("/:id/reactivate", async (req, res) => {
    const id = String(req.params.id);
    await runAction(req, res, id, async () => {
      await reactivateUser(db, actorOf(req), id);
      flash(req, "success", "User reactivated.");
    });
  });

  router.post("/:id/reset-password", async (req, res) => {
    const id = String(req.params.id);
    await runAction(req, res, id, async () => {
      const password = await resetPassword(db, actorOf(req), id);
      flash(req, "success", "Password reset and the user's sessions ended. Give them this one-time password; they must change it when they sign in:", password);
    });
  });

  router.post("/:id/reset-two-factor", async (req, res) => {
    const id = String(req.params.id);
    await runAction(req, res, id, async () => {
      const removed = await resetTwoFactor(db, actorOf(req), id);
      flash(req, removed ? "success" : "info", removed ? "Two-factor sign-in removed and the user's sessions ended. They can set it up again from their account page (or must, at next sign-in, if the firm requires it)." : "This user had no two-factor sign-in to remove.");
    });
  });

  return router;
}

/** Runs a one-click action; a refusal (last admin, own account) comes back as an error message on the user page. */
async function runAction(req: Request, res: Response, id: string, action: () => Promise<void>) {
  try {
    await action();
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    flash(req, "error", error.message);
  }
  res.redirect(`/admin/users/${id}`);
}

function editValues(user: Awaited<ReturnType<typeof getUser>>): Record<string, string> {
  const values: Record<string, string> = {
    name: user.name,
    email: user.email,
    role: user.role,
    department: user.department ?? "",
    updatedAt: user.updatedAt.toISOString(),
  };
  for (const flagName of ["relationshipTeam", "legalTeam", "viewConfidential"] as const) if (user[flagName]) values[flagName] = "on";
  return values;
}
