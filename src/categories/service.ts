// Client categories, administered by admins: name (unique ignoring case), description, colour. Every change is
// audited in the same transaction, with field-level before/after.
import type { Db, Tx } from "../db/client.ts";
import type { Actor } from "../access/roles.ts";
import { assertCan } from "../access/permissions.ts";
import { visibleClientCounts } from "./selectors.ts";
import { changedFields, eventFacts, recordAudit } from "../audit/service.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import type { CategoryInput } from "./schemas.ts";
import { isUuid } from "../web/fields.ts";

const AUDITED_FIELDS = ["name", "description", "color"] as const;

const assertAdmin = (actor: Actor) => assertCan(actor, "categories.manage");

/** A category with how many of its clients the actor may see (restricted clients stay out of counts, as everywhere). */
export interface CategorySummary {
  id: string;
  name: string;
  description: string | null;
  color: string;
  createdAt: Date;
  updatedAt: Date;
  clientCount: number;
}

export async function listCategories(db: Db, actor: Actor): Promise<CategorySummary[]> {
  assertAdmin(actor);
  const [categories, counts] = await Promise.all([
    db.clientCategory.findMany({ orderBy: [{ name: "asc" }, { id: "asc" }] }),
    visibleClientCounts(db, actor),
  ]);
  return categories.map((c) => ({ ...c, clientCount: counts.get(c.id) ?? 0 }));
}

export async function getCategory(db: Db, actor: Actor, id: string): Promise<CategorySummary> {
  assertAdmin(actor);
  if (!isUuid(id)) throw new NotFoundError();
  const category = await db.clientCategory.findUnique({ where: { id } });
  if (!category) throw new NotFoundError();
  const counts = await visibleClientCounts(db, actor, [id]);
  return { ...category, clientCount: counts.get(id) ?? 0 };
}

/** What the delete page needs: the category, who uses it, and where its clients could go. */
export async function categoryForDeletion(db: Db, actor: Actor, id: string) {
  const category = await getCategory(db, actor, id);
  const [total, otherCategories] = await Promise.all([
    db.client.count({ where: { categoryId: id } }),
    db.clientCategory.findMany({ where: { id: { not: id } }, orderBy: [{ name: "asc" }, { id: "asc" }], select: { id: true, name: true, color: true } }),
  ]);
  return { category, restrictedInUse: total > category.clientCount, otherCategories };
}

const nameTakenMessage = (existing: string) => `A category called “${existing}” already exists. Names are compared ignoring case.`;

/** The other category with this name ignoring case, if any (the same rule as the unique index on lower(name)). */
async function sameNamed(tx: Tx, name: string, exceptId?: string): Promise<string | undefined> {
  const rows = await tx.$queryRaw<{ id: string; name: string }[]>`SELECT id::text, name FROM client_categories WHERE lower(name) = lower(${name})`;
  return rows.find((r) => r.id !== exceptId)?.name;
}

/** A concurrent save of the same name slips past the check and hits the unique index: same message. */
function uniqueNameError(name: string) {
  return (error: unknown): never => {
    if ((error as { code?: string } | null)?.code === "P2002") throw new ValidationError({ name: nameTakenMessage(name) });
    throw error;
  };
}

export async function createCategory(db: Db, actor: Actor, input: CategoryInput): Promise<{ id: string; name: string }> {
  assertAdmin(actor);
  const { updatedAt: _ignored, ...fields } = input;
  return db
    .$transaction(async (tx) => {
      const existing = await sameNamed(tx, fields.name);
      if (existing) throw new ValidationError({ name: nameTakenMessage(existing) });
      const category = await tx.clientCategory.create({ data: fields });
      await recordAudit(tx, {
        actorId: actor.id,
        action: "category.create",
        entityType: "category",
        entityId: category.id,
        changes: changedFields(null, category, AUDITED_FIELDS),
        context: actor.context,
      });
      return { id: category.id, name: category.name };
    })
    .catch(uniqueNameError(fields.name));
}

/** Saves an edit unless someone else saved the category since the form was opened (optimistic concurrency on updatedAt). */
export async function updateCategory(db: Db, actor: Actor, id: string, input: CategoryInput): Promise<void> {
  assertAdmin(actor);
  if (!isUuid(id)) throw new NotFoundError();
  const { updatedAt, ...fields } = input;
  await db
    .$transaction(async (tx) => {
      // Row lock first, so two saves carrying the same version stamp cannot both pass the check.
      await tx.$queryRaw`SELECT id FROM client_categories WHERE id = ${id}::uuid FOR UPDATE`;
      const before = await tx.clientCategory.findUnique({ where: { id } });
      if (!before) throw new NotFoundError();
      if (updatedAt && before.updatedAt.toISOString() !== updatedAt) {
        throw new ConflictError("Someone else changed this category while you were editing. Its saved values are shown below; apply your changes again and save.");
      }
      const existing = await sameNamed(tx, fields.name, id);
      if (existing) throw new ValidationError({ name: nameTakenMessage(existing) });
      const after = await tx.clientCategory.update({ where: { id }, data: fields });
      const changes = changedFields(before, after, AUDITED_FIELDS);
      if (changes) await recordAudit(tx, { actorId: actor.id, action: "category.update", entityType: "category", entityId: id, changes, context: actor.context });
    })
    .catch(uniqueNameError(fields.name));
}

/** Refusal to delete a category that clients still use, with how many (of those the admin may see). */
export class CategoryInUseError extends ConflictError {
  constructor(
    public readonly clientCount: number,
    restrictedInUse: boolean,
  ) {
    const counted = clientCount === 1 ? "1 client" : `${clientCount} clients`;
    const users = clientCount === 0 ? "restricted clients you cannot see" : restrictedInUse ? `${counted} and by restricted clients you cannot see` : counted;
    super(`This category is used by ${users}. Choose a category to move them to, or “No category”, to delete it.`);
    this.name = "CategoryInUseError";
  }
}

/**
 * Deletes a category. If clients use it, `moveTo` says where they go ("none": no category); moving them and deleting
 * the category happen in one transaction, audited once with the moved client ids.
 */
export async function deleteCategory(
  db: Db,
  actor: Actor,
  id: string,
  moveTo: string | undefined,
): Promise<{ name: string; moved: number; movedTo: { id: string; name: string } | null }> {
  assertAdmin(actor);
  if (!isUuid(id)) throw new NotFoundError();
  const targetId = moveTo && moveTo !== "none" ? moveTo : null;
  if (targetId === id) throw new ValidationError({ moveTo: "Choose another category: this is the one being deleted." });
  return db.$transaction(async (tx) => {
    // Lock the category (no client can take it meanwhile) and the target (it cannot go away) in id order, so two
    // admins deleting A into B and B into A at once wait for each other instead of deadlocking.
    const ids = targetId ? [id, targetId] : [id];
    await tx.$queryRaw`SELECT id FROM client_categories WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE`;
    const before = await tx.clientCategory.findUnique({ where: { id } });
    if (!before) throw new NotFoundError();
    const total = await tx.client.count({ where: { categoryId: id } });
    let movedTo: { id: string; name: string } | null = null;
    if (total > 0) {
      if (moveTo === undefined) {
        const visible = (await visibleClientCounts(tx, actor, [id])).get(id) ?? 0;
        throw new CategoryInUseError(visible, total > visible);
      }
      if (targetId) {
        movedTo = await tx.clientCategory.findUnique({ where: { id: targetId }, select: { id: true, name: true } });
        if (!movedTo) throw new ValidationError({ moveTo: "That category no longer exists. Choose another one." });
      }
    }
    const moved = total > 0 ? await tx.client.updateManyAndReturn({ where: { categoryId: id }, data: { categoryId: targetId, updatedById: actor.id }, select: { id: true } }) : [];
    await tx.clientCategory.delete({ where: { id } });
    await recordAudit(tx, {
      actorId: actor.id,
      action: "category.delete",
      entityType: "category",
      entityId: id,
      changes: {
        ...changedFields(before, { name: null, description: null, color: null }, AUDITED_FIELDS),
        ...eventFacts({ clientsMoved: moved.length }),
        ...(moved.length
          ? {
              movedTo: { before: { id, name: before.name }, after: movedTo },
              ...eventFacts({ movedClientIds: moved.map((c) => c.id).sort() }),
            }
          : {}),
      },
      context: actor.context,
    });
    return { name: before.name, moved: moved.length, movedTo };
  });
}
