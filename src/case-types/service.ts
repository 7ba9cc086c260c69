// Case types (a hierarchy with review flags and a default template) and case templates (ordered stage definitions),
// administered by admins. Every change is audited in the transaction that makes it.
import type { Db, Tx } from "../db/client.ts";
import type { Actor } from "../access/roles.ts";
import { assertCan } from "../access/permissions.ts";
import { changedFields, recordAuditBy } from "../audit/service.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { isUuid } from "../web/fields.ts";
import type { CaseTemplateInput, CaseTypeInput, StageInput } from "./schemas.ts";

const TYPE_FIELDS = ["name", "code", "description", "parentId", "requiresLegalReview", "requiresComplianceReview", "defaultBillingMethod", "defaultTemplateId", "active"] as const;
const TEMPLATE_FIELDS = ["name", "code", "description", "caseTypeId", "active", "requiredDocumentTypes"] as const;
const STAGE_FIELDS = ["name", "stageType", "required", "parallel", "approvalRequired", "minApprovers", "defaultDurationDays"] as const;

const assertAdmin = (actor: Actor) => assertCan(actor, "caseTypes.manage");

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Cases not deleted, per type or template id. */
async function caseCounts(db: Db | Tx, by: "typeId" | "templateId"): Promise<Map<string, number>> {
  const rows = by === "typeId"
    ? await db.case.groupBy({ by: ["typeId"], where: { deletedAt: null }, _count: { _all: true } })
    : await db.case.groupBy({ by: ["templateId"], where: { deletedAt: null, templateId: { not: null } }, _count: { _all: true } });
  return new Map(rows.map((r) => [("typeId" in r ? r.typeId : r.templateId) as string, r._count._all]));
}

// ---------------------------------------------------------------------------------------------------------------
// Case types

export interface CaseTypeRow {
  id: string;
  name: string;
  code: string;
  description: string | null;
  parentId: string | null;
  depth: number;
  requiresLegalReview: boolean;
  requiresComplianceReview: boolean;
  defaultBillingMethod: string | null;
  defaultTemplate: { id: string; name: string } | null;
  active: boolean;
  caseCount: number;
}

/** Every type, each child right under its parent (indented by depth), siblings by name. */
export async function listCaseTypes(db: Db, actor: Actor): Promise<CaseTypeRow[]> {
  assertAdmin(actor);
  const [types, counts] = await Promise.all([
    db.caseType.findMany({ include: { defaultTemplate: { select: { id: true, name: true } } }, orderBy: [{ name: "asc" }, { id: "asc" }] }),
    caseCounts(db, "typeId"),
  ]);
  const byParent = new Map<string | null, typeof types>();
  const ids = new Set(types.map((t) => t.id));
  for (const t of types) {
    const parent = t.parentId && ids.has(t.parentId) ? t.parentId : null;
    byParent.set(parent, [...(byParent.get(parent) ?? []), t]);
  }
  const rows: CaseTypeRow[] = [];
  const visit = (parentId: string | null, depth: number) => {
    for (const t of byParent.get(parentId) ?? []) {
      rows.push({
        id: t.id,
        name: t.name,
        code: t.code,
        description: t.description,
        parentId: t.parentId,
        depth,
        requiresLegalReview: t.requiresLegalReview,
        requiresComplianceReview: t.requiresComplianceReview,
        defaultBillingMethod: t.defaultBillingMethod,
        defaultTemplate: t.defaultTemplate,
        active: t.active,
        caseCount: counts.get(t.id) ?? 0,
      });
      visit(t.id, depth + 1);
    }
  };
  visit(null, 0);
  return rows;
}

export async function getCaseType(db: Db, actor: Actor, id: string) {
  assertAdmin(actor);
  if (!isUuid(id)) throw new NotFoundError();
  const type = await db.caseType.findUnique({
    where: { id },
    include: {
      parent: { select: { id: true, name: true } },
      defaultTemplate: { select: { id: true, name: true, active: true } },
      children: { select: { id: true, name: true, code: true, active: true }, orderBy: [{ name: "asc" }, { id: "asc" }] },
      templates: {
        select: { id: true, name: true, code: true, active: true, _count: { select: { stages: true } } },
        orderBy: [{ name: "asc" }, { id: "asc" }],
      },
    },
  });
  if (!type) throw new NotFoundError();
  const caseCount = await db.case.count({ where: { typeId: id, deletedAt: null } });
  return { ...type, caseCount };
}
export type CaseTypeDetail = Awaited<ReturnType<typeof getCaseType>>;

/** Ids of a type and every type below it. */
async function selfAndDescendants(db: Db | Tx, id: string): Promise<Set<string>> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    WITH RECURSIVE below AS (
      SELECT id FROM case_types WHERE id = ${id}::uuid
      UNION
      SELECT t.id FROM case_types t JOIN below b ON t.parent_id = b.id
    )
    SELECT id::text FROM below`;
  return new Set(rows.map((r) => r.id));
}

/** What the type form offers: parents (not the type itself nor one below it) and this type's active templates. */
export async function caseTypeFormOptions(db: Db, actor: Actor, id?: string) {
  assertAdmin(actor);
  const excluded = id ? await selfAndDescendants(db, id) : new Set<string>();
  const [types, templates] = await Promise.all([
    listCaseTypes(db, actor),
    id ? db.caseTemplate.findMany({ where: { caseTypeId: id, active: true }, select: { id: true, name: true, code: true }, orderBy: [{ name: "asc" }, { id: "asc" }] }) : [],
  ]);
  return { parents: types.filter((t) => !excluded.has(t.id)), templates };
}

/** The other type or template with this code ignoring case (the rule of the unique index on lower(code)). */
async function sameCode(tx: Tx, table: "case_types" | "case_templates", code: string, exceptId?: string): Promise<string | undefined> {
  const rows = table === "case_types"
    ? await tx.$queryRaw<{ id: string; name: string }[]>`SELECT id::text, name FROM case_types WHERE lower(code) = lower(${code})`
    : await tx.$queryRaw<{ id: string; name: string }[]>`SELECT id::text, name FROM case_templates WHERE lower(code) = lower(${code})`;
  return rows.find((r) => r.id !== exceptId)?.name;
}

const typeCodeTaken = (name: string) => `That code is already used by ${name}. Codes are compared ignoring case.`;
const templateCodeTaken = (name: string) => `That code is already used by the template ${name}. Codes are compared ignoring case.`;

/** A concurrent save of the same code slips past the check and hits the unique index: the same message. */
function uniqueCodeError(code: string) {
  return (error: unknown): never => {
    const e = error as { code?: string; message?: string } | null;
    if (e?.code === "P2002" || /code_lower_key/.test(e?.message ?? "")) throw new ValidationError({ code: `That code (${code}) is already used. Codes are compared ignoring case.` });
    throw error;
  };
}

/** Serialises changes to the hierarchy, so two edits cannot each make the other's type its parent. */
async function lockHierarchy(tx: Tx) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('case_type_hierarchy'))`;
}

async function checkParent(tx: Tx, parentId: string | null, id?: string) {
  if (!parentId) return;
  if (parentId === id) throw new ValidationError({ parentId: "A type cannot be its own parent." });
  const parent = await tx.caseType.findUnique({ where: { id: parentId }, select: { name: true } });
  if (!parent) throw new ValidationError({ parentId: "That parent type no longer exists. Choose another one." });
  if (id && (await selfAndDescendants(tx, id)).has(parentId)) {
    throw new ValidationError({ parentId: `${parent.name} is below this type in the hierarchy: choosing it as the parent would make a cycle.` });
  }
}

export async function createCaseType(db: Db, actor: Actor, input: CaseTypeInput): Promise<{ id: string; name: string }> {
  assertAdmin(actor);
  // A new type has no templates yet: its default template is chosen once one exists.
  const data = { ...input, defaultTemplateId: null };
  return db
    .$transaction(async (tx) => {
      await lockHierarchy(tx);
      const taken = await sameCode(tx, "case_types", data.code);
      if (taken) throw new ValidationError({ code: typeCodeTaken(taken) });
      await checkParent(tx, data.parentId);
      const type = await tx.caseType.create({ data });
      await recordAuditBy(tx, actor, { action: "case_type.create", entityType: "case_type", entityId: type.id, changes: changedFields(null, type, TYPE_FIELDS) ?? null });
      return { id: type.id, name: type.name };
    })
    .catch(uniqueCodeError(data.code));
}

export async function updateCaseType(db: Db, actor: Actor, id: string, input: CaseTypeInput): Promise<void> {
  assertAdmin(actor);
  if (!isUuid(id)) throw new NotFoundError();
  await db
    .$transaction(async (tx) => {
      await lockHierarchy(tx);
      await tx.$queryRaw`SELECT id FROM case_types WHERE id = ${id}::uuid FOR UPDATE`;
      const before = await tx.caseType.findUnique({ where: { id } });
      if (!before) throw new NotFoundError();
      const taken = await sameCode(tx, "case_types", input.code, id);
      if (taken) throw new ValidationError({ code: typeCodeTaken(taken) });
      await checkParent(tx, input.parentId, id);
      if (input.defaultTemplateId) {
        const template = await tx.caseTemplate.findUnique({ where: { id: input.defaultTemplateId }, select: { caseTypeId: true, active: true } });
        if (!template || template.caseTypeId !== id || !template.active) throw new ValidationError({ defaultTemplateId: "Choose an active template of this type." });
      }
      const after = await tx.caseType.update({ where: { id }, data: input });
      const changes = changedFields(before, after, TYPE_FIELDS);
      if (changes) await recordAuditBy(tx, actor, { action: "case_type.update", entityType: "case_type", entityId: id, changes });
    })
    .catch(uniqueCodeError(input.code));
}

/** Deactivated types are not offered for new cases; their existing cases keep them. */
export async function setCaseTypeActive(db: Db, actor: Actor, id: string, active: boolean): Promise<{ name: string; changed: boolean }> {
  assertAdmin(actor);
  if (!isUuid(id)) throw new NotFoundError();
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM case_types WHERE id = ${id}::uuid FOR UPDATE`;
    const before = await tx.caseType.findUnique({ where: { id } });
    if (!before) throw new NotFoundError();
    if (before.active === active) return { name: before.name, changed: false };
    await tx.caseType.update({ where: { id }, data: { active } });
    await recordAuditBy(tx, actor, { action: active ? "case_type.reactivate" : "case_type.deactivate", entityType: "case_type", entityId: id, changes: { active: { before: before.active, after: active } } });
    return { name: before.name, changed: true };
  });
}

/** What keeps a type from being deleted: cases (deleted ones too: they can be restored), templates, child types. */
export async function caseTypeDependents(db: Db | Tx, id: string) {
  const [cases, deletedCases, templates, children] = await Promise.all([
    db.case.count({ where: { typeId: id, deletedAt: null } }),
    db.case.count({ where: { typeId: id, deletedAt: { not: null } } }),
    db.caseTemplate.findMany({ where: { caseTypeId: id }, select: { id: true, name: true }, orderBy: [{ name: "asc" }, { id: "asc" }] }),
    db.caseType.findMany({ where: { parentId: id }, select: { id: true, name: true }, orderBy: [{ name: "asc" }, { id: "asc" }] }),
  ]);
  const parts: string[] = [];
  if (cases) parts.push(plural(cases, "case"));
  if (deletedCases) parts.push(plural(deletedCases, "deleted case"));
  if (templates.length) parts.push(`${plural(templates.length, "template")} (${templates.map((t) => t.name).join(", ")})`);
  if (children.length) parts.push(`${plural(children.length, "child type")} (${children.map((c) => c.name).join(", ")})`);
  return { cases, deletedCases, templates, children, summary: parts.length ? parts.join(", ") : null };
}

export class CaseTypeInUseError extends ConflictError {
  constructor(name: string, summary: string) {
    super(`${name} cannot be deleted: it is used by ${summary}. Deactivate it instead, or move or delete those first.`);
    this.name = "CaseTypeInUseError";
  }
}

export async function caseTypeForDeletion(db: Db, actor: Actor, id: string) {
  const type = await getCaseType(db, actor, id);
  return { type, dependents: await caseTypeDependents(db, id) };
}

export async function deleteCaseType(db: Db, actor: Actor, id: string): Promise<{ name: string }> {
  assertAdmin(actor);
  if (!isUuid(id)) throw new NotFoundError();
  return db.$transaction(async (tx) => {
    await lockHierarchy(tx);
    await tx.$queryRaw`SELECT id FROM case_types WHERE id = ${id}::uuid FOR UPDATE`;
    const before = await tx.caseType.findUnique({ where: { id } });
    if (!before) throw new NotFoundError();
    // The row lock also holds off new cases, templates and child types (their foreign key checks share-lock this row).
    const dependents = await caseTypeDependents(tx, id);
    if (dependents.summary) throw new CaseTypeInUseError(before.name, dependents.summary);
    await tx.caseType.delete({ where: { id } });
    await recordAuditBy(tx, actor, { action: "case_type.delete", entityType: "case_type", entityId: id, changes: changedFields(before, Object.fromEntries(TYPE_FIELDS.map((f) => [f, null])), TYPE_FIELDS) ?? null });
    return { name: before.name };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Case templates

export interface CaseTemplateRow {
  id: string;
  name: string;
  code: string;
  active: boolean;
  caseType: { id: string; name: string; active: boolean };
  stageCount: number;
  approvalStageCount: number;
  caseCount: number;
  isDefault: boolean;
}

export async function listCaseTemplates(db: Db, actor: Actor): Promise<CaseTemplateRow[]> {
  assertAdmin(actor);
  const [templates, counts] = await Promise.all([
    db.caseTemplate.findMany({
      include: { caseType: { select: { id: true, name: true, active: true } }, stages: { select: { approvalRequired: true } }, defaultFor: { select: { id: true } } },
      orderBy: [{ name: "asc" }, { id: "asc" }],
    }),
    caseCounts(db, "templateId"),
  ]);
  return templates.map((t) => ({
    id: t.id,
    name: t.name,
    code: t.code,
    active: t.active,
    caseType: t.caseType,
    stageCount: t.stages.length,
    approvalStageCount: t.stages.filter((s) => s.approvalRequired).length,
    caseCount: counts.get(t.id) ?? 0,
    isDefault: t.defaultFor !== null,
  }));
}

export async function getCaseTemplate(db: Db, actor: Actor, id: string) {
  assertAdmin(actor);
  if (!isUuid(id)) throw new NotFoundError();
  const template = await db.caseTemplate.findUnique({
    where: { id },
    include: { caseType: { select: { id: true, name: true, active: true } }, stages: { orderBy: { position: "asc" } }, defaultFor: { select: { id: true, name: true } } },
  });
  if (!template) throw new NotFoundError();
  const caseCount = await db.case.count({ where: { templateId: id, deletedAt: null } });
  return { ...template, caseCount };
}
export type CaseTemplateDetail = Awaited<ReturnType<typeof getCaseTemplate>>;

/** Case types a template may belong to, each child under its parent. */
export async function templateTypeOptions(db: Db, actor: Actor) {
  return listCaseTypes(db, actor);
}

type StageRecord = StageInput & { position: number };
const stageList = (stages: StageRecord[]) =>
  [...stages].sort((a, b) => a.position - b.position).map((s) => Object.fromEntries([["position", s.position], ...STAGE_FIELDS.map((f) => [f, s[f]])]));

async function checkTemplateType(tx: Tx, caseTypeId: string) {
  const type = await tx.caseType.findUnique({ where: { id: caseTypeId }, select: { id: true } });
  if (!type) throw new ValidationError({ caseTypeId: "That case type no longer exists. Choose another one." });
}

export async function createCaseTemplate(db: Db, actor: Actor, input: CaseTemplateInput): Promise<{ id: string; name: string }> {
  assertAdmin(actor);
  const { stages, ...fields } = input;
  return db
    .$transaction(async (tx) => {
      const taken = await sameCode(tx, "case_templates", fields.code);
      if (taken) throw new ValidationError({ code: templateCodeTaken(taken) });
      await checkTemplateType(tx, fields.caseTypeId);
      const template = await tx.caseTemplate.create({ data: { ...fields, stages: { create: stages.map((s, i) => ({ ...s, position: i + 1 })) } }, include: { stages: true } });
      await recordAuditBy(tx, actor, {
        action: "case_template.create",
        entityType: "case_template",
        entityId: template.id,
        changes: { ...changedFields(null, template, TEMPLATE_FIELDS), stages: { before: null, after: stageList(template.stages) } },
      });
      return { id: template.id, name: template.name };
    })
    .catch(uniqueCodeError(fields.code));
}

/**
 * Saves a template and replaces its stages (positions 1..n in the given order), all in one transaction. Cases opened
 * from it keep the stages they were given. Moving it to another type stops it being the old type's default.
 */
export async function updateCaseTemplate(db: Db, actor: Actor, id: string, input: CaseTemplateInput): Promise<{ clearedDefaultOf: string | null }> {
  assertAdmin(actor);
  if (!isUuid(id)) throw new NotFoundError();
  const { stages, ...fields } = input;
  return db
    .$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM case_templates WHERE id = ${id}::uuid FOR UPDATE`;
      const before = await tx.caseTemplate.findUnique({ where: { id }, include: { stages: true, defaultFor: { select: { id: true, name: true } } } });
      if (!before) throw new NotFoundError();
      const taken = await sameCode(tx, "case_templates", fields.code, id);
      if (taken) throw new ValidationError({ code: templateCodeTaken(taken) });
      await checkTemplateType(tx, fields.caseTypeId);
      const clearedDefaultOf = before.defaultFor && (fields.caseTypeId !== before.caseTypeId || !fields.active) ? before.defaultFor : null;
      if (clearedDefaultOf) await clearDefault(tx, actor, clearedDefaultOf.id, id);
      await tx.caseTemplateStage.deleteMany({ where: { templateId: id } });
      const after = await tx.caseTemplate.update({
        where: { id },
        data: { ...fields, stages: { create: stages.map((s, i) => ({ ...s, position: i + 1 })) } },
        include: { stages: true },
      });
      const stagesBefore = stageList(before.stages);
      const stagesAfter = stageList(after.stages);
      const changes = {
        ...changedFields(before, after, TEMPLATE_FIELDS),
        ...(JSON.stringify(stagesBefore) !== JSON.stringify(stagesAfter) ? { stages: { before: stagesBefore, after: stagesAfter } } : {}),
      };
      if (Object.keys(changes).length) await recordAuditBy(tx, actor, { action: "case_template.update", entityType: "case_template", entityId: id, changes });
      return { clearedDefaultOf: clearedDefaultOf?.name ?? null };
    })
    .catch(uniqueCodeError(fields.code));
}

/** A type stops using a template as its default (audited on the type). */
async function clearDefault(tx: Tx, actor: Actor, typeId: string, templateId: string) {
  await tx.caseType.update({ where: { id: typeId }, data: { defaultTemplateId: null } });
  await recordAuditBy(tx, actor, { action: "case_type.update", entityType: "case_type", entityId: typeId, changes: { defaultTemplateId: { before: templateId, after: null } } });
}

/** An inactive template is not offered for new cases, so it stops being its type's default. */
export async function setCaseTemplateActive(db: Db, actor: Actor, id: string, active: boolean): Promise<{ name: string; changed: boolean; clearedDefaultOf: string | null }> {
  assertAdmin(actor);
  if (!isUuid(id)) throw new NotFoundError();
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM case_templates WHERE id = ${id}::uuid FOR UPDATE`;
    const before = await tx.caseTemplate.findUnique({ where: { id }, include: { defaultFor: { select: { id: true, name: true } } } });
    if (!before) throw new NotFoundError();
    if (before.active === active) return { name: before.name, changed: false, clearedDefaultOf: null };
    const clearedDefaultOf = !active && before.defaultFor ? before.defaultFor : null;
    if (clearedDefaultOf) await clearDefault(tx, actor, clearedDefaultOf.id, id);
    await tx.caseTemplate.update({ where: { id }, data: { active } });
    await recordAuditBy(tx, actor, { action: active ? "case_template.reactivate" : "case_template.deactivate", entityType: "case_template", entityId: id, changes: { active: { before: before.active, after: active } } });
    return { name: before.name, changed: true, clearedDefaultOf: clearedDefaultOf?.name ?? null };
  });
}

export class CaseTemplateInUseError extends ConflictError {
  constructor(name: string, cases: number) {
    super(`${name} cannot be deleted: ${plural(cases, "case uses", "cases use")} it. Deactivate it instead, so no new case is opened from it.`);
    this.name = "CaseTemplateInUseError";
  }
}

export async function caseTemplateForDeletion(db: Db, actor: Actor, id: string) {
  return getCaseTemplate(db, actor, id);
}

/** Deletes a template no open (non-deleted) case uses; a type using it as default stops doing so, in one transaction. */
export async function deleteCaseTemplate(db: Db, actor: Actor, id: string): Promise<{ name: string; clearedDefaultOf: string | null }> {
  assertAdmin(actor);
  if (!isUuid(id)) throw new NotFoundError();
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM case_templates WHERE id = ${id}::uuid FOR UPDATE`;
    const before = await tx.caseTemplate.findUnique({ where: { id }, include: { stages: true, defaultFor: { select: { id: true, name: true } } } });
    if (!before) throw new NotFoundError();
    const cases = await tx.case.count({ where: { templateId: id, deletedAt: null } });
    if (cases) throw new CaseTemplateInUseError(before.name, cases);
    if (before.defaultFor) await clearDefault(tx, actor, before.defaultFor.id, id);
    await tx.caseTemplate.delete({ where: { id } });
    await recordAuditBy(tx, actor, {
      action: "case_template.delete",
      entityType: "case_template",
      entityId: id,
      changes: {
        ...changedFields(before, Object.fromEntries(TEMPLATE_FIELDS.map((f) => [f, null])), TEMPLATE_FIELDS),
        stages: { before: stageList(before.stages), after: null },
      },
    });
    return { name: before.name, clearedDefaultOf: before.defaultFor?.name ?? null };
  });
}
