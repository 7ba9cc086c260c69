// Admin pages for client categories: list with client counts, create, edit, delete (moving clients elsewhere).
import { Router, type Response } from "express";
import type { Db } from "../db/client.ts";
import { actorOf } from "../web/context.ts";
import { errorsOf, formValues, parseForm } from "../web/forms.ts";
import { flash } from "../web/flash.ts";
import { ConflictError } from "../errors.ts";
import { categoryForm, DEFAULT_COLOR, deleteCategoryForm } from "./schemas.ts";
import {
  CategoryInUseError,
  categoryForDeletion,
  createCategory,
  deleteCategory,
  getCategory,
  listCategories,
  updateCategory,
  type CategorySummary,
} from "./service.ts";

export function categoryAdminRoutes(db: Db) {
  const router = Router();

  router.get("/", async (req, res) => {
    res.render("categories/index", { title: "Categories", categories: await listCategories(db, actorOf(req)) });
  });

  const showForm = (res: Response, status: number, locals: Record<string, unknown>) => res.status(status).render("categories/form", { errors: {}, ...locals });

  router.get("/new", (_req, res) => showForm(res, 200, { title: "New category", values: { color: DEFAULT_COLOR }, isNew: true }));

  router.post("/", async (req, res) => {
    const values = formValues(req.body);
    const form = parseForm(categoryForm, req.body);
    if (!form.ok) return showForm(res, 422, { title: "New category", values, errors: form.errors, isNew: true });
    try {
      const { name } = await createCategory(db, actorOf(req), form.data);
      flash(req, "success", `Category ${name} created.`);
      res.redirect("/admin/categories");
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return showForm(res, 422, { title: "New category", values, errors, isNew: true });
      throw error;
    }
  });

  router.get("/:id/edit", async (req, res) => {
    const category = await getCategory(db, actorOf(req), req.params.id);
    showForm(res, 200, { title: `Edit ${category.name}`, category, values: editValues(category), isNew: false });
  });

  router.post("/:id", async (req, res) => {
    const category = await getCategory(db, actorOf(req), req.params.id);
    const values = formValues(req.body);
    const form = parseForm(categoryForm, req.body);
    const again = (status: number, errors: Record<string, string>, conflict?: { message: string; saved: CategorySummary }, fresh = values) =>
      showForm(res, status, { title: `Edit ${category.name}`, category, values: fresh, errors, isNew: false, conflict });
    if (!form.ok) return again(422, form.errors);
    try {
      await updateCategory(db, actorOf(req), category.id, form.data);
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return again(422, errors);
      if (error instanceof ConflictError) {
        // Keep what the admin typed, show what is saved now, and carry the fresh version stamp so a second save is deliberate.
        const saved = await getCategory(db, actorOf(req), category.id);
        return again(409, {}, { message: error.message, saved }, { ...values, updatedAt: saved.updatedAt.toISOString() });
      }
      throw error;
    }
    flash(req, "success", `Category ${form.data.name} saved.`);
    res.redirect("/admin/categories");
  });

  router.get("/:id/delete", async (req, res) => {
    const data = await categoryForDeletion(db, actorOf(req), req.params.id);
    res.render("categories/delete", { title: `Delete ${data.category.name}`, ...data, values: {}, errors: {} });
  });

  router.post("/:id/delete", async (req, res) => {
    const actor = actorOf(req);
    const id = String(req.params.id);
    const values = formValues(req.body);
    const again = async (status: number, errors: Record<string, string>) => {
      const data = await categoryForDeletion(db, actor, id);
      res.status(status).render("categories/delete", { title: `Delete ${data.category.name}`, ...data, values, errors });
    };
    const form = parseForm(deleteCategoryForm, req.body);
    if (!form.ok) {
      await getCategory(db, actor, id); // an unknown category is a 404, not a form error
      return again(422, form.errors);
    }
    try {
      const { name, moved, movedTo } = await deleteCategory(db, actor, id, form.data.moveTo);
      const where = movedTo ? `moved to ${movedTo.name}` : "left without a category";
      flash(req, "success", moved ? `Category ${name} deleted; ${moved === 1 ? "1 client was" : `${moved} clients were`} ${where}.` : `Category ${name} deleted.`);
      res.redirect("/admin/categories");
    } catch (error) {
      if (error instanceof CategoryInUseError) return again(409, { moveTo: error.message });
      const errors = errorsOf(error);
      if (errors) return again(422, errors);
      throw error;
    }
  });

  return router;
}

function editValues(category: CategorySummary): Record<string, string> {
  return { name: category.name, description: category.description ?? "", color: category.color, updatedAt: category.updatedAt.toISOString() };
}
