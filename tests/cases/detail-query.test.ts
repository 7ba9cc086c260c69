// The case detail page's one-query read (src/cases/detail-query.ts) against the ORM's include it replaces: the same
// fields, types (Decimals, calendar dates, timestamps), nulls and orderings, and the same visibility.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { Prisma } from "../../src/generated/prisma/client.ts";
import { caseDetailRow } from "../../src/cases/detail-query.ts";
import { caseDetailInclude, getCase } from "../../src/cases/service.ts";
import { NotFoundError } from "../../src/errors.ts";
import { caseIsVisible } from "../../src/access/records.ts";
import { actor, makeCaseType, makeClient, makeTemplate } from "./support.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

/** Decimals as their text, Dates as ISO strings and keys sorted, so the two shapes compare field by field. */
function normalise(value: unknown): unknown {
  if (value instanceof Prisma.Decimal) return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, normalise((value as Record<string, unknown>)[k])]));
  }
  return value;
}

const viaOrm = (id: string) => t.db.case.findUniqueOrThrow({ where: { id }, include: caseDetailInclude });
const asUser = (user: Awaited<ReturnType<typeof makeUser>>) => ({ ...user, mustChangePassword: false });
let caseNumber = 0;
const nextNumber = () => `CASE-1998-${String(++caseNumber).padStart(6, "0")}`;

/** A case with every relation the detail page shows filled, written straight to the database. */
async function fullyFilledCase() {
  const [admin, manager, creator, updater, lead, paralegal, assignee, starter, completer, approverA, approverB] = await Promise.all([
    makeUser(t.db, { role: "admin", viewConfidential: true, name: "Ada Admin" }),
    makeUser(t.db, { role: "manager", department: "Litigation", name: "Max Manager" }),
    ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => makeUser(t.db, { name: `Person ${i}` })),
  ]);
  // A restricted client: its case manager and the lead are on the client's team, the paralegal only on the case's.
  const client = await makeClient(t.db, creator!.id, { name: "Everything Filled Ltd", isConfidential: true, dataClassification: "privileged", accountManagerId: manager!.id, teamUserIds: [lead!.id] });
  const contact = await t.db.contact.create({ data: { clientId: client.id, name: "Carla Contact", title: "General Counsel", email: "carla@filled.test", phone: "+1 555 0100" } });
  const { type } = await makeCaseType(t.db, { name: "Disputes", requiresLegalReview: true, requiresComplianceReview: true });
  const template = await makeTemplate(t.db, type.id, [{ name: "Intake" }, { name: "Review" }]);
  await t.db.caseTemplate.update({ where: { id: template.id }, data: { requiredDocumentTypes: ["engagement_letter", "conflict_check", "id_verification"] } });
  const kase = await t.db.case.create({
    data: {
      caseNumber: nextNumber(),
      title: "Harbour dispute",
      description: "Contract dispute over berth fees.",
      summary: "Settled after mediation.",
      clientId: client.id,
      contactId: contact.id,
      managerId: manager!.id,
      typeId: type.id,
      templateId: template.id,
      category: "dispute",
      priority: "critical",
      complexity: "complex",
      riskLevel: "high",
      status: "resolved",
      nextReviewDate: new Date("2026-02-28T00:00:00Z"),
      complianceReviewRequired: true,
      legalReviewRequired: true,
      estimatedValue: new Prisma.Decimal("12500.75"),
      actualCost: new Prisma.Decimal("9800.05"),
      billingMethod: "fixed_fee",
      resolutionDate: new Date("2025-11-03T14:15:16.789Z"),
      resolutionType: "settled",
      resolutionSummary: "Both sides agreed to split the fees.",
      satisfaction: 4,
      statusChangedAt: new Date("2025-11-03T14:15:16.000Z"),
      createdById: creator!.id,
      updatedById: updater!.id,
    },
  });
  // Inserted out of order, so the orderings are the query's and not the insertion's.
  await t.db.caseTeamMember.create({ data: { caseId: kase.id, userId: paralegal!.id, role: "paralegal", addedAt: new Date("2025-06-02T09:00:00.500Z") } });
  await t.db.caseTeamMember.create({ data: { caseId: kase.id, userId: lead!.id, role: "lead", addedAt: new Date("2025-06-01T09:00:00Z") } });
  const second = await t.db.caseStage.create({
    data: { caseId: kase.id, position: 2, name: "Legal review", stageType: "legal_review", approvalRequired: true, minApprovers: 2, status: "in_progress", assigneeId: assignee!.id, deadline: new Date("2025-12-31T00:00:00Z"), startedAt: new Date("2025-10-01T08:30:00.123Z"), startedById: starter!.id, notes: "Waiting on counsel." },
  });
  await t.db.caseStage.create({
    data: { caseId: kase.id, position: 1, name: "Intake", stageType: "intake", parallel: false, required: true, status: "completed", assigneeId: assignee!.id, deadline: new Date("2025-09-30T00:00:00Z"), startedAt: new Date("2025-09-01T10:00:00Z"), startedById: starter!.id, completedAt: new Date("2025-09-15T17:45:00.010Z"), completedById: completer!.id },
  });
  await t.db.caseStage.create({ data: { caseId: kase.id, position: 3, name: "Closing", stageType: "closing", required: false, parallel: true } });
  await t.db.caseStageApproval.create({ data: { stageId: second.id, userId: approverB!.id, note: "Fine by me.", approvedAt: new Date("2025-10-05T12:00:00.999Z") } });
  await t.db.caseStageApproval.create({ data: { stageId: second.id, userId: approverA!.id, approvedAt: new Date("2025-10-04T12:00:00Z") } });
  await t.db.case.update({ where: { id: kase.id }, data: { currentStageId: second.id } });
  return { kase, admin: admin!, manager: manager!, lead: lead!, paralegal: paralegal!, approverA: approverA!, approverB: approverB! };
}

describe("the case detail's one-query read", () => {
  it("returns exactly what the ORM's include returns, for a case with every relation filled", async () => {
    const { kase, admin, lead, paralegal, approverA, approverB } = await fullyFilledCase();
    const orm = await viaOrm(kase.id);
    const sql = await caseDetailRow(t.db, asUser(admin), kase.id);
    expect(sql).toBeDefined();
    expect(normalise(sql)).toEqual(normalise(orm));

    // The types the page relies on, not only their text.
    expect(sql!.estimatedValue).toBeInstanceOf(Prisma.Decimal);
    expect(sql!.actualCost).toBeInstanceOf(Prisma.Decimal);
    expect(sql!.estimatedValue!.toFixed(2)).toBe("12500.75");
    expect(sql!.actualCost!.toFixed(2)).toBe("9800.05");
    expect(sql!.nextReviewDate).toEqual(new Date("2026-02-28T00:00:00Z"));
    expect(sql!.resolutionDate).toEqual(new Date("2025-11-03T14:15:16.789Z"));
    expect(sql!.stages[0]!.deadline).toEqual(new Date("2025-09-30T00:00:00Z"));
    expect(sql!.stages[0]!.completedAt).toEqual(new Date("2025-09-15T17:45:00.010Z"));
    expect(sql!.team[0]!.addedAt).toBeInstanceOf(Date);
    expect(sql!.stages[1]!.approvals[0]!.approvedAt).toBeInstanceOf(Date);
    expect(sql!.template!.requiredDocumentTypes).toEqual(["engagement_letter", "conflict_check", "id_verification"]);

    // Orderings: team by when they joined, stages by position, approvals by when given.
    expect(sql!.team.map((m) => m.userId)).toEqual([lead.id, paralegal.id]);
    expect(sql!.stages.map((s) => s.position)).toEqual([1, 2, 3]);
    expect(sql!.stages[1]!.approvals.map((a) => a.userId)).toEqual([approverA.id, approverB.id]);
    expect(sql!.currentStage).toEqual({ id: sql!.stages[1]!.id, name: "Legal review", status: "in_progress" });
    expect(sql!.stages[2]!.assignee).toBeNull();
    expect(sql!.stages[2]!.approvals).toEqual([]);
  });

  it("gives the same inside a transaction, where the query runs through $queryRaw instead of the pool", async () => {
    const { kase, admin } = await fullyFilledCase();
    const orm = await viaOrm(kase.id);
    const inTx = await t.db.$transaction((tx) => caseDetailRow(tx, asUser(admin), kase.id));
    expect(normalise(inTx)).toEqual(normalise(orm));
    expect(inTx!.estimatedValue).toBeInstanceOf(Prisma.Decimal);
    expect(inTx!.nextReviewDate).toEqual(new Date("2026-02-28T00:00:00Z"));
  });

  it("returns the ORM's nulls and empty lists for a case with no optional relations", async () => {
    const manager = await makeUser(t.db, { role: "manager" });
    const client = await makeClient(t.db, manager.id);
    const { type } = await makeCaseType(t.db);
    const kase = await t.db.case.create({
      data: { caseNumber: nextNumber(), title: "Bare case", description: "Nothing else set.", clientId: client.id, managerId: manager.id, typeId: type.id, createdById: manager.id },
    });
    const orm = await viaOrm(kase.id);
    const sql = await caseDetailRow(t.db, asUser(manager), kase.id);
    expect(normalise(sql)).toEqual(normalise(orm));
    for (const field of ["contact", "template", "currentStage", "updatedBy", "deletedBy", "estimatedValue", "actualCost", "nextReviewDate", "resolutionDate", "satisfaction", "billingMethod"] as const) {
      expect(sql![field], field).toBeNull();
    }
    expect(sql!.team).toEqual([]);
    expect(sql!.stages).toEqual([]);
  });

  it("is what getCase returns, to those who may see the case", async () => {
    const { kase, manager, lead } = await fullyFilledCase();
    const orm = normalise(await viaOrm(kase.id));
    expect(normalise((await getCase(t.db, actor(manager), kase.id, { audit: false })).case)).toEqual(orm);
    // The team member sees the restricted client's case through the team (and the read is audited as before).
    const found = await getCase(t.db, actor(lead), kase.id);
    expect(normalise(found.case)).toEqual(orm);
    expect(found.facts.teamUserIds).toContain(lead.id);
    expect(await t.db.auditEvent.count({ where: { action: "case.read_restricted", entityId: kase.id, actorId: lead.id } })).toBe(1);
  });

  it("finds nothing for a user who may not see the case, nor for a deleted case", async () => {
    const { kase, admin, manager, lead, paralegal, approverA } = await fullyFilledCase();
    const outsider = await makeUser(t.db, { role: "staff" });
    expect(await caseDetailRow(t.db, asUser(outsider), kase.id)).toBeUndefined();
    await expect(getCase(t.db, actor(outsider), kase.id)).rejects.toBeInstanceOf(NotFoundError);
    // The paralegal is on the case's team but not the restricted client's: hidden, as the row check says too.
    const seen: Record<string, boolean> = {};
    for (const [name, user] of Object.entries({ admin, manager, lead, paralegal, approverA, outsider })) {
      const checked = await caseIsVisible(t.db, user, kase.id);
      seen[name] = (await caseDetailRow(t.db, asUser(user), kase.id)) !== undefined;
      expect(seen[name], name).toBe(checked);
    }
    expect(seen).toEqual({ admin: true, manager: true, lead: true, paralegal: false, approverA: false, outsider: false });

    await t.db.case.update({ where: { id: kase.id }, data: { deletedAt: new Date(), deletedById: admin.id } });
    expect(await caseDetailRow(t.db, asUser(admin), kase.id)).toBeUndefined();
    await expect(getCase(t.db, actor(admin), kase.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await caseDetailRow(t.db, asUser(admin), "00000000-0000-4000-8000-000000000000")).toBeUndefined();
  });

  it("never sends a malformed id to the database", async () => {
    const admin = await makeUser(t.db, { role: "admin", viewConfidential: true });
    const query = vi.spyOn(t.database.pool, "query");
    try {
      for (const id of ["not-a-uuid", "1", "", "00000000-0000-0000-0000-00000000000g", "'; SELECT 1; --"]) {
        await expect(getCase(t.db, actor(admin), id)).rejects.toBeInstanceOf(NotFoundError);
      }
      expect(query).not.toHaveBeenCalled();
      // The spy does see the read when the id is well formed.
      await expect(getCase(t.db, actor(admin), "00000000-0000-4000-8000-000000000000")).rejects.toBeInstanceOf(NotFoundError);
      expect(query).toHaveBeenCalled();
    } finally {
      query.mockRestore();
    }
  });
});
