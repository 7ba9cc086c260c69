// The case rules at service level: the status machine, billing, compliance review, deletion, manager capacity and
// the workflow of stages and approvals. Each test calls the services as a user would and reads back what was stored
// and what was audited.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { actor, caseFormFields, makeCaseType, makeClient, openCase as openCaseWith, SETTINGS } from "./support.ts";
import { auditOf, changesOf, editInput, move, putInStatus, refusal } from "./rules-support.ts";
import type { CaseStatus } from "../../src/generated/prisma/enums.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../../src/errors.ts";
import { createCase, deleteCase, getCase, restoreCase, stageDeadlines, updateCase } from "../../src/cases/service.ts";
import { deletedCases } from "../../src/cases/queries.ts";
import { approvalsWaitingFor, approveStage, completeStage, skipStage, startStage } from "../../src/cases/workflow.ts";
import { editCaseForm, newCaseForm } from "../../src/cases/schemas.ts";
import { fileComplianceDocument } from "../documents/support.ts";

let t: TestApp;
let admin: Awaited<ReturnType<typeof makeUser>>;
let client: Awaited<ReturnType<typeof makeClient>>;
let plainTypeId: string;
const ROOMY = { maxActiveCasesPerManager: 100_000 };
/** Most tests open many cases for the same manager; capacity has its own tests with its own limit. */
const openCase = (db: TestApp["db"], by: Parameters<typeof openCaseWith>[1], fields: Parameters<typeof openCaseWith>[2], settings = ROOMY) => openCaseWith(db, by, fields, settings);

beforeAll(async () => {
  t = await createTestApp();
  admin = await makeUser(t.db, { role: "admin", name: "Ada Admin" });
  client = await makeClient(t.db, admin.id);
  plainTypeId = (await makeCaseType(t.db, { name: "Plain advice" })).type.id;
});
afterAll(async () => {
  await t.close();
});

// Written from DOMAIN.md, not from src/cases/status.ts, so a change to the machine shows up here.
const ALLOWED: Record<CaseStatus, CaseStatus[]> = {
  new: ["assigned", "in_progress", "on_hold", "closed"],
  assigned: ["in_progress", "on_hold", "closed"],
  in_progress: ["on_hold", "resolved", "closed"],
  on_hold: ["in_progress", "closed"],
  resolved: ["closed", "reopened"],
  closed: ["reopened"],
  reopened: ["assigned", "in_progress"],
};
const NEXT_TEXT: Record<CaseStatus, string> = {
  new: "From New it can move to Assigned, In progress, On hold or Closed.",
  assigned: "From Assigned it can move to In progress, On hold or Closed.",
  in_progress: "From In progress it can move to On hold, Resolved or Closed.",
  on_hold: "From On hold it can move to In progress or Closed.",
  resolved: "From Resolved it can move to Closed or Reopened.",
  closed: "From Closed it can move to Reopened.",
  reopened: "From Reopened it can move to Assigned or In progress.",
};
const STATUSES = Object.keys(ALLOWED) as CaseStatus[];

describe("status machine", () => {
  for (const from of STATUSES) {
    for (const to of STATUSES) {
      const allowed = ALLOWED[from].includes(to);
      it(`${allowed ? "moves" : "refuses to move"} a case from ${from} to ${to}`, async () => {
        const kase = await openCase(t.db, admin, { clientId: client.id, typeId: plainTypeId }, ROOMY);
        await putInStatus(t.db, kase.id, from);
        const before = await t.db.case.findUniqueOrThrow({ where: { id: kase.id } });
        if (allowed) {
          const result = await move(t.db, admin, kase.id, to, from);
          expect(result.status).toBe(to);
          const after = await t.db.case.findUniqueOrThrow({ where: { id: kase.id } });
          expect(after.status).toBe(to);
          expect(after.statusChangedAt.getTime()).toBeGreaterThanOrEqual(before.statusChangedAt.getTime());
          const events = await auditOf(t.db, kase.id, "case.status");
          expect(events).toHaveLength(1);
          expect(events[0]!.actorId).toBe(admin.id);
          expect(changesOf(events[0]!).status).toEqual({ before: from, after: to });
        } else {
          const error = await refusal(move(t.db, admin, kase.id, to, from));
          expect(error).toBeInstanceOf(ValidationError);
          expect(error.message).toContain(NEXT_TEXT[from]);
          expect(error.fields?.to).toContain(NEXT_TEXT[from]);
          expect(error.message).toContain(from === to ? "already" : "cannot move");
          const after = await t.db.case.findUniqueOrThrow({ where: { id: kase.id } });
          expect(after.status).toBe(from);
          expect(after.updatedAt).toEqual(before.updatedAt);
          expect(await auditOf(t.db, kase.id, "case.status")).toHaveLength(0);
        }
      });
    }
  }

  it("refuses a move from a status the case is no longer in, changing nothing", async () => {
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId: plainTypeId });
    await move(t.db, admin, kase.id, "assigned", "new");
    const before = await t.db.case.findUniqueOrThrow({ where: { id: kase.id } });
    const error = await refusal(move(t.db, admin, kase.id, "in_progress", "new"));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toMatch(/Assigned/);
    expect(error.message).toContain("Nothing was changed");
    const after = await t.db.case.findUniqueOrThrow({ where: { id: kase.id } });
    expect(after.status).toBe("assigned");
    expect(after.updatedAt).toEqual(before.updatedAt);
    expect(await auditOf(t.db, kase.id, "case.status")).toHaveLength(1);
  });

  it("needs a resolution type to resolve, and stores the resolution", async () => {
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId: plainTypeId });
    await putInStatus(t.db, kase.id, "in_progress");
    const error = await refusal(move(t.db, admin, kase.id, "resolved", "in_progress", { resolutionType: null }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.fields?.resolutionType).toMatch(/how the case ended/);
    expect((await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).status).toBe("in_progress");

    await move(t.db, admin, kase.id, "resolved", "in_progress", { resolutionType: "favorable", resolutionSummary: "Won on appeal." });
    const after = await t.db.case.findUniqueOrThrow({ where: { id: kase.id } });
    expect(after).toMatchObject({ status: "resolved", resolutionType: "favorable", resolutionSummary: "Won on appeal." });
    expect(after.resolutionDate).toBeInstanceOf(Date);
    const [event] = await auditOf(t.db, kase.id, "case.status");
    expect(changesOf(event!).resolutionType).toEqual({ before: null, after: "favorable" });
  });

  it("closes a resolved case keeping its resolution, and reopening clears it", async () => {
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId: plainTypeId });
    await putInStatus(t.db, kase.id, "in_progress");
    await move(t.db, admin, kase.id, "resolved", "in_progress", { resolutionType: "settled", resolutionSummary: "Paid in full." });
    await move(t.db, admin, kase.id, "closed", "resolved", { resolutionType: null });
    const closed = await t.db.case.findUniqueOrThrow({ where: { id: kase.id } });
    expect(closed).toMatchObject({ status: "closed", resolutionType: "settled", resolutionSummary: "Paid in full." });

    await move(t.db, admin, kase.id, "reopened", "closed", { note: "Client disputes the payment." });
    const reopened = await t.db.case.findUniqueOrThrow({ where: { id: kase.id } });
    expect(reopened).toMatchObject({ status: "reopened", resolutionDate: null, resolutionType: null, resolutionSummary: null });
    const events = await auditOf(t.db, kase.id, "case.status");
    expect(events.map((e) => changesOf(e).status)).toEqual([
      { before: "in_progress", after: "resolved" },
      { before: "resolved", after: "closed" },
      { before: "closed", after: "reopened" },
    ]);
    expect(changesOf(events[2]!).resolutionType).toEqual({ before: "settled", after: null });
    expect(changesOf(events[2]!).note).toEqual({ before: null, after: "Client disputes the payment." });
  });

  it("needs a resolution type to close a case that was never resolved", async () => {
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId: plainTypeId });
    const error = await refusal(move(t.db, admin, kase.id, "closed", "new", { resolutionType: null }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.fields?.resolutionType).toBeDefined();
    expect((await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).status).toBe("new");
  });
});

describe("billing", () => {
  const newInput = (fields: Record<string, string>) => newCaseForm.parse(caseFormFields({ clientId: client.id, typeId: plainTypeId, managerId: admin.id, ...fields }));

  it("refuses a billing method without an estimate, in the form and in the service", async () => {
    const form = newCaseForm.safeParse(caseFormFields({ clientId: client.id, typeId: plainTypeId, managerId: admin.id, billingMethod: "hourly" }));
    expect(form.success).toBe(false);
    expect(form.error!.issues.find((i) => i.path[0] === "estimatedValue")?.message).toBe("A billing method needs an estimated value.");

    const before = await t.db.case.count();
    const error = await refusal(createCase(t.db, actor(admin), { ...newInput({}), billingMethod: "hourly", estimatedValue: null }, SETTINGS));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.fields?.estimatedValue).toBe("A billing method needs an estimated value.");
    expect(await t.db.case.count()).toBe(before);
  });

  it("accepts an actual cost of exactly 150% of the estimate when opening a case", async () => {
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId: plainTypeId, estimatedValue: "100", actualCost: "150.00", billingMethod: "fixed_fee" });
    expect(kase.estimatedValue!.toFixed(2)).toBe("100.00");
    expect(kase.actualCost!.toFixed(2)).toBe("150.00");
    expect(kase.billingMethod).toBe("fixed_fee");
  });

  it("refuses an actual cost of 150.01% of the estimate when opening a case, in the form and in the service", async () => {
    const form = newCaseForm.safeParse(caseFormFields({ clientId: client.id, typeId: plainTypeId, managerId: admin.id, estimatedValue: "100", actualCost: "150.01" }));
    expect(form.success).toBe(false);
    expect(form.error!.issues.find((i) => i.path[0] === "actualCost")?.message).toMatch(/at most 150% of the estimate \(150\.00\)/);

    const before = await t.db.case.count();
    const error = await refusal(createCase(t.db, actor(admin), { ...newInput({ estimatedValue: "100" }), actualCost: 150.01 }, SETTINGS));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.fields?.actualCost).toMatch(/150%/);
    expect(await t.db.case.count()).toBe(before);
  });

  it("holds the same limits when a case is edited", async () => {
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId: plainTypeId });
    await updateCase(t.db, actor(admin), kase.id, editInput(kase, { estimatedValue: "2,000.00", actualCost: "3000", billingMethod: "hourly" }), SETTINGS);
    const edited = await t.db.case.findUniqueOrThrow({ where: { id: kase.id } });
    expect(edited.actualCost!.toFixed(2)).toBe("3000.00");
    const [event] = await auditOf(t.db, kase.id, "case.update");
    expect(changesOf(event!).actualCost).toEqual({ before: null, after: 3000 });

    const over = editCaseForm.safeParse({ ...caseFormFields({ clientId: client.id, typeId: plainTypeId, managerId: admin.id }), estimatedValue: "2000", actualCost: "3000.01" });
    expect(over.success).toBe(false);
    const serviceOver = await refusal(updateCase(t.db, actor(admin), kase.id, { ...editInput(edited), actualCost: 3000.01 }, SETTINGS));
    expect(serviceOver).toBeInstanceOf(ValidationError);
    expect(serviceOver.fields?.actualCost).toMatch(/3000\.00/);

    const noEstimate = await refusal(updateCase(t.db, actor(admin), kase.id, { ...editInput(edited), estimatedValue: null, actualCost: null }, SETTINGS));
    expect(noEstimate).toBeInstanceOf(ValidationError);
    expect(noEstimate.fields?.estimatedValue).toBe("A billing method needs an estimated value.");

    const stored = await t.db.case.findUniqueOrThrow({ where: { id: kase.id } });
    expect(stored.actualCost!.toFixed(2)).toBe("3000.00");
    expect(stored.estimatedValue!.toFixed(2)).toBe("2000.00");
    expect(await auditOf(t.db, kase.id, "case.update")).toHaveLength(1);
  });

  it("is held by the database too: billing without estimate, cost over 150% and satisfaction outside 1-5", async () => {
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId: plainTypeId });
    await expect(t.db.case.update({ where: { id: kase.id }, data: { billingMethod: "hourly" } })).rejects.toThrow(/cases_billing_needs_estimate|check constraint/i);
    await expect(t.db.case.update({ where: { id: kase.id }, data: { estimatedValue: 100, actualCost: 150.01 } })).rejects.toThrow(/cases_cost_within_estimate|check constraint/i);
    await expect(t.db.case.update({ where: { id: kase.id }, data: { satisfaction: 0 } })).rejects.toThrow(/cases_satisfaction_range|check constraint/i);
    await expect(t.db.case.update({ where: { id: kase.id }, data: { satisfaction: 6 } })).rejects.toThrow(/cases_satisfaction_range|check constraint/i);
    const unchanged = await t.db.case.findUniqueOrThrow({ where: { id: kase.id } });
    expect(unchanged).toMatchObject({ billingMethod: null, estimatedValue: null, actualCost: null, satisfaction: null });

    await t.db.case.update({ where: { id: kase.id }, data: { estimatedValue: 100, actualCost: 150, billingMethod: "hourly", satisfaction: 5 } });
    await t.db.case.update({ where: { id: kase.id }, data: { satisfaction: 1 } });
    const stored = await t.db.case.findUniqueOrThrow({ where: { id: kase.id } });
    expect(stored.actualCost!.toFixed(2)).toBe("150.00");
    expect(stored.satisfaction).toBe(1);
  });

  it("refuses satisfaction outside 1-5 in the form", () => {
    const fields = caseFormFields({ clientId: client.id, typeId: plainTypeId, managerId: admin.id });
    for (const bad of ["0", "6", "3.5", "-1", "five"]) {
      const parsed = newCaseForm.safeParse({ ...fields, satisfaction: bad });
      expect(parsed.success, bad).toBe(false);
      expect(parsed.error!.issues.find((i) => i.path[0] === "satisfaction")?.message).toBe("Satisfaction must be a whole number from 1 to 5.");
    }
    for (const good of ["1", "5", ""]) expect(newCaseForm.safeParse({ ...fields, satisfaction: good }).success, good).toBe(true);
  });
});

describe("compliance review", () => {
  async function complianceCase() {
    const manager = await makeUser(t.db, { role: "manager", department: "Compliance" });
    const { type } = await makeCaseType(t.db, {
      name: "Regulated matter",
      requiresComplianceReview: true,
      stages: [{ name: "Intake" }, { name: "Compliance sign-off", stageType: "approval", approvalRequired: true, minApprovers: 1 }],
    });
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId: type.id, managerId: manager.id });
    return { kase, manager };
  }

  it("gives a case the review flags of its type even when the form leaves them unticked", async () => {
    const { type: legal } = await makeCaseType(t.db, { requiresLegalReview: true });
    const { type: compliance } = await makeCaseType(t.db, { requiresComplianceReview: true });
    const a = await openCase(t.db, admin, { clientId: client.id, typeId: legal.id });
    const b = await openCase(t.db, admin, { clientId: client.id, typeId: compliance.id });
    expect(a).toMatchObject({ legalReviewRequired: true, complianceReviewRequired: false });
    expect(b).toMatchObject({ legalReviewRequired: false, complianceReviewRequired: true });
  });

  it("refuses an edit that clears a flag the type requires", async () => {
    const { type } = await makeCaseType(t.db, { name: "Securities", requiresLegalReview: true, requiresComplianceReview: true });
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId: type.id });
    const error = await refusal(updateCase(t.db, actor(admin), kase.id, editInput(kase, { legalReviewRequired: "", complianceReviewRequired: "" }), SETTINGS));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.fields).toEqual({
      legalReviewRequired: "Cases of the type Securities always need legal review.",
      complianceReviewRequired: "Cases of the type Securities always need compliance review.",
    });
    expect(await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).toMatchObject({ legalReviewRequired: true, complianceReviewRequired: true });
    expect(await auditOf(t.db, kase.id, "case.update")).toHaveLength(0);
  });

  it("lets a manager, not the staff on the case, lift a review someone asked for", async () => {
    const { type } = await makeCaseType(t.db);
    const staff = await makeUser(t.db, { role: "staff", department: "Tax" });
    const manager = await makeUser(t.db, { role: "manager", department: "Tax" });
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId: type.id, managerId: staff.id, complianceReviewRequired: "on", legalReviewRequired: "on" });
    const error = await refusal(updateCase(t.db, actor(staff), kase.id, editInput(kase, { legalReviewRequired: "", complianceReviewRequired: "" }), SETTINGS));
    expect(error.fields).toEqual({
      legalReviewRequired: "Only managers and administrators remove a legal review requirement.",
      complianceReviewRequired: "Only managers and administrators remove a compliance review requirement.",
    });
    expect(await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).toMatchObject({ legalReviewRequired: true, complianceReviewRequired: true });
    await updateCase(t.db, actor(manager), kase.id, editInput(kase, { legalReviewRequired: "", complianceReviewRequired: "" }), SETTINGS);
    expect(await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).toMatchObject({ legalReviewRequired: false, complianceReviewRequired: false });
  });

  it("refuses to close a case needing compliance review without a completed approval stage", async () => {
    const { kase, manager } = await complianceCase();
    await move(t.db, admin, kase.id, "in_progress", "new");
    const [intake, signOff] = kase.stages;
    await startStage(t.db, actor(admin), kase.id, intake!.id);
    await completeStage(t.db, actor(admin), kase.id, intake!.id, null);
    await startStage(t.db, actor(admin), kase.id, signOff!.id);
    await approveStage(t.db, actor(manager), kase.id, signOff!.id, null);

    // approved but not completed: still refused, from in progress and from resolved
    const error = await refusal(move(t.db, admin, kase.id, "closed", "in_progress"));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.fields?.to).toBe("This case requires compliance review: it cannot close without a completed approval stage and a compliance document.");
    await move(t.db, admin, kase.id, "resolved", "in_progress");
    const again = await refusal(move(t.db, admin, kase.id, "closed", "resolved"));
    expect(again.fields?.to).toContain("a completed approval stage");
    expect((await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).status).toBe("resolved");
    expect((await auditOf(t.db, kase.id, "case.status")).map((e) => changesOf(e).status!.after)).toEqual(["in_progress", "resolved"]);
  });

  it("closes a case needing compliance review once an approval stage is completed with its approvals", async () => {
    const { kase, manager } = await complianceCase();
    const [intake, signOff] = kase.stages;
    await move(t.db, admin, kase.id, "in_progress", "new");
    await startStage(t.db, actor(admin), kase.id, intake!.id);
    await completeStage(t.db, actor(admin), kase.id, intake!.id, null);
    // a completed stage that needs no approval does not count
    expect((await refusal(move(t.db, admin, kase.id, "closed", "in_progress"))).fields?.to).toContain("a completed approval stage");
    await startStage(t.db, actor(admin), kase.id, signOff!.id);
    await approveStage(t.db, actor(manager), kase.id, signOff!.id, "Checked the file.");
    await completeStage(t.db, actor(admin), kase.id, signOff!.id, null);
    expect((await refusal(move(t.db, admin, kase.id, "closed", "in_progress"))).fields?.to).toBe("This case requires compliance review: it cannot close without a compliance document.");
    await fileComplianceDocument(t.db, kase.id, admin.id);
    await move(t.db, admin, kase.id, "closed", "in_progress");
    expect((await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).status).toBe("closed");
  });
});

describe("deleting", () => {
  async function workflowCase() {
    const { type } = await makeCaseType(t.db, { stages: [{ name: "Drafting" }, { name: "Partner approval", approvalRequired: true, minApprovers: 2 }] });
    return openCase(t.db, admin, { clientId: client.id, typeId: type.id });
  }

  it("refuses while a stage is in progress, naming it", async () => {
    const kase = await workflowCase();
    await startStage(t.db, actor(admin), kase.id, kase.stages[0]!.id);
    const error = await refusal(deleteCase(t.db, actor(admin), kase.id, "Opened by mistake"));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toBe("This case cannot be deleted while it has active stages (Drafting). Complete or skip them first.");
    expect((await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).deletedAt).toBeNull();
    expect(await auditOf(t.db, kase.id, "case.delete")).toHaveLength(0);
  });

  it("refuses while a stage waits for approvals, naming it", async () => {
    const kase = await workflowCase();
    await startStage(t.db, actor(admin), kase.id, kase.stages[0]!.id);
    await completeStage(t.db, actor(admin), kase.id, kase.stages[0]!.id, null);
    await startStage(t.db, actor(admin), kase.id, kase.stages[1]!.id);
    await approveStage(t.db, actor(admin), kase.id, kase.stages[1]!.id, null);
    const error = await refusal(deleteCase(t.db, actor(admin), kase.id, "Duplicate"));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toContain("approvals still pending (Partner approval)");
    expect((await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).deletedAt).toBeNull();
  });

  it("soft deletes otherwise: hidden from everyone, listed for administrators, restored by an administrator only", async () => {
    const kase = await workflowCase();
    const manager = await makeUser(t.db, { role: "manager" });
    await t.db.case.update({ where: { id: kase.id }, data: { managerId: manager.id } });
    const staff = await makeUser(t.db, { role: "staff" });
    await t.db.caseTeamMember.create({ data: { caseId: kase.id, userId: staff.id, role: "associate" } });

    expect(await refusal(deleteCase(t.db, actor(staff), kase.id, "No"))).toBeInstanceOf(ForbiddenError);
    const { caseNumber } = await deleteCase(t.db, actor(manager), kase.id, "Opened twice");
    expect(caseNumber).toBe(kase.caseNumber);
    const stored = await t.db.case.findUniqueOrThrow({ where: { id: kase.id } });
    expect(stored.deletedAt).toBeInstanceOf(Date);
    expect(stored.deletedById).toBe(manager.id);
    const [deleted] = await auditOf(t.db, kase.id, "case.delete");
    expect(deleted!.actorId).toBe(manager.id);
    expect(changesOf(deleted!).reason).toEqual({ before: null, after: "Opened twice" });

    for (const user of [admin, manager, staff]) expect(await refusal(getCase(t.db, actor(user), kase.id))).toBeInstanceOf(NotFoundError);
    expect(await refusal(deleteCase(t.db, actor(manager), kase.id, "Again"))).toBeInstanceOf(NotFoundError);
    expect((await deletedCases(t.db, actor(admin))).map((c) => c.id)).toContain(kase.id);
    expect(await deletedCases(t.db, actor(manager))).toEqual([]);

    expect(await refusal(restoreCase(t.db, actor(manager), kase.id))).toBeInstanceOf(ForbiddenError);
    expect((await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).deletedAt).not.toBeNull();
    await restoreCase(t.db, actor(admin), kase.id);
    const restored = await t.db.case.findUniqueOrThrow({ where: { id: kase.id } });
    expect(restored).toMatchObject({ deletedAt: null, deletedById: null });
    expect((await getCase(t.db, actor(staff), kase.id)).case.id).toBe(kase.id);
    expect(await auditOf(t.db, kase.id, "case.restore")).toHaveLength(1);
    expect(await refusal(restoreCase(t.db, actor(admin), kase.id))).toBeInstanceOf(NotFoundError);
  });
});

describe("manager capacity", () => {
  const TWO = { maxActiveCasesPerManager: 2 };

  async function fullManager() {
    const manager = await makeUser(t.db, { role: "manager", name: "Max Manager" });
    const first = await openCase(t.db, admin, { clientId: client.id, typeId: plainTypeId, managerId: manager.id }, TWO);
    const second = await openCase(t.db, admin, { clientId: client.id, typeId: plainTypeId, managerId: manager.id }, TWO);
    return { manager, first, second };
  }

  it("refuses a third active case for a manager holding two, giving the count", async () => {
    const { manager } = await fullManager();
    const error = await refusal(openCase(t.db, admin, { clientId: client.id, typeId: plainTypeId, managerId: manager.id }, TWO));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.fields?.managerId).toBe("Max Manager already manages 2 active cases, the most one manager may hold (2). Choose someone else, or resolve or close one of their cases first.");
    expect(await t.db.case.count({ where: { managerId: manager.id } })).toBe(2);
  });

  for (const freed of ["resolved", "closed", "deleted"] as const) {
    it(`does not count ${freed} cases`, async () => {
      const { manager, first } = await fullManager();
      if (freed === "deleted") await deleteCase(t.db, actor(admin), first.id, "Not needed");
      else await putInStatus(t.db, first.id, freed);
      const third = await openCase(t.db, admin, { clientId: client.id, typeId: plainTypeId, managerId: manager.id }, TWO);
      expect(third.managerId).toBe(manager.id);
      expect(await refusal(openCase(t.db, admin, { clientId: client.id, typeId: plainTypeId, managerId: manager.id }, TWO))).toBeInstanceOf(ValidationError);
    });
  }

  it("counts on hold and reopened cases as active", async () => {
    const { manager, first, second } = await fullManager();
    await putInStatus(t.db, first.id, "on_hold");
    await putInStatus(t.db, second.id, "reopened");
    const error = await refusal(openCase(t.db, admin, { clientId: client.id, typeId: plainTypeId, managerId: manager.id }, TWO));
    expect(error.fields?.managerId).toContain("already manages 2 active cases");
  });

  it("refuses reassigning a case on edit to a full manager, and lets the full manager's own cases be edited", async () => {
    const { manager, first } = await fullManager();
    const other = await openCase(t.db, admin, { clientId: client.id, typeId: plainTypeId }, ROOMY);
    const error = await refusal(updateCase(t.db, actor(admin), other.id, editInput(other, { managerId: manager.id }), TWO));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.fields?.managerId).toContain("already manages 2 active cases");
    expect((await t.db.case.findUniqueOrThrow({ where: { id: other.id } })).managerId).toBe(admin.id);

    await updateCase(t.db, actor(admin), first.id, editInput(first, { title: "Renamed while full" }), TWO);
    expect((await t.db.case.findUniqueOrThrow({ where: { id: first.id } })).title).toBe("Renamed while full");
  });

  it("refuses an inactive user as manager", async () => {
    const gone = await makeUser(t.db, { role: "manager", active: false });
    const error = await refusal(openCase(t.db, admin, { clientId: client.id, typeId: plainTypeId, managerId: gone.id }));
    expect(error.fields?.managerId).toBe("Choose an active user as case manager.");
  });
});

describe("workflow", () => {
  const utcDay = (d: Date) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const DAY = 86_400_000;

  it("copies the template's stages in order, with deadlines from their durations", async () => {
    const manager = await makeUser(t.db, { role: "manager" });
    const { type } = await makeCaseType(t.db, {
      stages: [
        { name: "Intake", stageType: "intake", defaultDurationDays: 5 },
        { name: "Conflict check", stageType: "review", parallel: true, defaultDurationDays: 3, required: false },
        { name: "Advice", stageType: "work", defaultDurationDays: 2 },
        { name: "Open-ended", stageType: "analysis", defaultDurationDays: null },
        { name: "Partner sign-off", stageType: "approval", approvalRequired: true, minApprovers: 2, defaultDurationDays: 1 },
      ],
    });
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId: type.id, managerId: manager.id });
    expect(kase.stages.map((s) => [s.position, s.name, s.stageType, s.required, s.parallel, s.approvalRequired, s.minApprovers, s.status, s.assigneeId])).toEqual([
      [1, "Intake", "intake", true, false, false, 1, "pending", manager.id],
      [2, "Conflict check", "review", false, true, false, 1, "pending", manager.id],
      [3, "Advice", "work", true, false, false, 1, "pending", manager.id],
      [4, "Open-ended", "analysis", true, false, false, 1, "pending", manager.id],
      [5, "Partner sign-off", "approval", true, false, true, 2, "pending", manager.id],
    ]);
    const today = utcDay(kase.createdAt);
    expect(kase.stages.map((s) => (s.deadline ? (s.deadline.getTime() - today) / DAY : null))).toEqual([5, 3, 7, null, 8]);
    expect(kase.currentStageId).toBe(kase.stages[0]!.id);
    const [created] = await auditOf(t.db, kase.id, "case.create");
    expect(changesOf(created!).stages!.after).toEqual(["Intake", "Conflict check", "Advice", "Open-ended", "Partner sign-off"]);
  });

  it("starts a stage after the longest of the parallel group before it", () => {
    const start = new Date("2025-03-10T15:30:00Z");
    const days = (deadlines: (Date | null)[]) => deadlines.map((d) => (d ? (d.getTime() - Date.UTC(2025, 2, 10)) / DAY : null));
    expect(days(stageDeadlines([{ parallel: false, defaultDurationDays: 2 }, { parallel: true, defaultDurationDays: 5 }, { parallel: false, defaultDurationDays: 1 }], start))).toEqual([2, 5, 6]);
    expect(days(stageDeadlines([{ parallel: true, defaultDurationDays: 4 }, { parallel: true, defaultDurationDays: 1 }, { parallel: false, defaultDurationDays: 0 }], start))).toEqual([4, 1, 4]);
  });

  it("opens a case without stages when asked for no workflow", async () => {
    const { type } = await makeCaseType(t.db, { stages: [{ name: "Only" }] });
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId: type.id, templateId: "none" });
    expect(kase.stages).toEqual([]);
    expect(kase.templateId).toBeNull();
    expect(kase.currentStageId).toBeNull();
  });

  it("takes approvals only from users allowed to approve: not staff, and legal reviews only from the legal team", async () => {
    const staff = await makeUser(t.db, { role: "staff" });
    const manager = await makeUser(t.db, { role: "manager" });
    const legal = await makeUser(t.db, { role: "staff", legalTeam: true });
    const { type } = await makeCaseType(t.db, {
      requiresLegalReview: true,
      stages: [
        { name: "Partner approval", stageType: "approval", approvalRequired: true, minApprovers: 1 },
        { name: "Legal review", stageType: "legal_review", approvalRequired: true, minApprovers: 1, parallel: true },
      ],
    });
    const kase = await openCase(t.db, staff, { clientId: client.id, typeId: type.id, managerId: manager.id });
    expect(kase.team.map((m) => m.userId)).toEqual([staff.id]);
    const [partner, legalReview] = kase.stages;
    await startStage(t.db, actor(staff), kase.id, partner!.id);
    await startStage(t.db, actor(staff), kase.id, legalReview!.id);

    const staffRefused = await refusal(approveStage(t.db, actor(staff), kase.id, partner!.id, null));
    expect(staffRefused).toBeInstanceOf(ForbiddenError);
    expect(staffRefused.message).toBe("Only managers, administrators and the legal team approve stages.");
    for (const user of [manager, admin, staff]) {
      const error = await refusal(approveStage(t.db, actor(user), kase.id, legalReview!.id, null));
      expect(error).toBeInstanceOf(ForbiddenError);
      expect(error.message).toBe("Only the legal team approves legal and compliance reviews.");
    }
    expect(await t.db.caseStageApproval.count({ where: { stageId: { in: [partner!.id, legalReview!.id] } } })).toBe(0);

    await approveStage(t.db, actor(manager), kase.id, partner!.id, null);
    const result = await approveStage(t.db, actor(legal), kase.id, legalReview!.id, "No issues.");
    expect(result).toEqual({ name: "Legal review", approvals: 1, needed: 1 });
    const approvals = await t.db.caseStageApproval.findMany({ where: { stageId: legalReview!.id } });
    expect(approvals.map((a) => [a.userId, a.note])).toEqual([[legal.id, "No issues."]]);
    const events = await auditOf(t.db, kase.id, "case.stage_approve");
    expect(events.map((e) => e.actorId)).toEqual([manager.id, legal.id]);
    expect(changesOf(events[1]!)["stage:Legal review"]).toEqual({ before: "0 of 1 approvals", after: "1 of 1 approvals" });
  });

  it("needs distinct approvers, held by the database too, and completes only with N approvals", async () => {
    const [m1, m2] = [await makeUser(t.db, { role: "manager", department: "Tax" }), await makeUser(t.db, { role: "manager", department: "Tax" })];
    const { type } = await makeCaseType(t.db, { stages: [{ name: "Board approval", approvalRequired: true, minApprovers: 2 }] });
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId: type.id, managerId: m1.id });
    const stage = kase.stages[0]!;
    await startStage(t.db, actor(admin), kase.id, stage.id);

    const none = await refusal(completeStage(t.db, actor(admin), kase.id, stage.id, null));
    expect(none).toBeInstanceOf(ValidationError);
    expect(none.fields?._form).toBe(`"Board approval" needs 2 approvals from different people before it is complete; it has 0.`);
    await approveStage(t.db, actor(m1), kase.id, stage.id, null);
    const twice = await refusal(approveStage(t.db, actor(m1), kase.id, stage.id, null));
    expect(twice).toBeInstanceOf(ConflictError);
    expect(twice.message).toContain("already approved");
    await expect(t.db.caseStageApproval.create({ data: { stageId: stage.id, userId: m1.id } })).rejects.toThrow();
    expect(await t.db.caseStageApproval.count({ where: { stageId: stage.id } })).toBe(1);
    expect((await refusal(completeStage(t.db, actor(admin), kase.id, stage.id, null))).fields?._form).toContain("it has 1");

    await approveStage(t.db, actor(m2), kase.id, stage.id, null);
    await completeStage(t.db, actor(admin), kase.id, stage.id, "Both partners agreed.");
    const done = await t.db.caseStage.findUniqueOrThrow({ where: { id: stage.id } });
    expect(done).toMatchObject({ status: "completed", completedById: admin.id, notes: "Both partners agreed." });
    expect(done.completedAt).toBeInstanceOf(Date);
    expect(await auditOf(t.db, kase.id, "case.stage_complete")).toHaveLength(1);
    expect((await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).currentStageId).toBeNull();
    expect((await refusal(approveStage(t.db, actor(admin), kase.id, stage.id, null))).message).toContain("completed already");
  });

  it("starts stages in order, a parallel one alongside its predecessor, and the current stage follows", async () => {
    const { type } = await makeCaseType(t.db, {
      stages: [{ name: "Facts" }, { name: "Research", parallel: true }, { name: "Optional memo", required: false }, { name: "Advice" }],
    });
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId: type.id });
    const [facts, research, memo, advice] = kase.stages;
    const current = async () => (await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).currentStageId;

    expect(await current()).toBe(facts!.id);
    const early = await refusal(startStage(t.db, actor(admin), kase.id, advice!.id));
    expect(early).toBeInstanceOf(ConflictError);
    expect(early.message).toBe(`Finish "Facts", "Research" before starting "Advice".`);
    expect(await refusal(completeStage(t.db, actor(admin), kase.id, facts!.id, null))).toBeInstanceOf(ConflictError);

    await startStage(t.db, actor(admin), kase.id, research!.id);
    expect(await current()).toBe(research!.id);
    await startStage(t.db, actor(admin), kase.id, facts!.id);
    expect(await current()).toBe(facts!.id);
    expect((await refusal(startStage(t.db, actor(admin), kase.id, facts!.id))).message).toContain("already been started");
    await completeStage(t.db, actor(admin), kase.id, facts!.id, null);
    expect(await current()).toBe(research!.id);
    expect((await refusal(startStage(t.db, actor(admin), kase.id, advice!.id))).message).toBe(`Finish "Research" before starting "Advice".`);
    await completeStage(t.db, actor(admin), kase.id, research!.id, null);
    expect(await current()).toBe(memo!.id);
    // the optional memo, never started, does not hold the advice back
    await startStage(t.db, actor(admin), kase.id, advice!.id);
    expect(await current()).toBe(advice!.id);
    const started = await auditOf(t.db, kase.id, "case.stage_start");
    expect(started.map((e) => Object.keys(changesOf(e))[0])).toEqual(["stage:Research", "stage:Facts", "stage:Advice"]);
  });

  it("skips only optional stages", async () => {
    const { type } = await makeCaseType(t.db, { stages: [{ name: "Core" }, { name: "Nice to have", required: false }] });
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId: type.id });
    const [core, extra] = kase.stages;
    const required = await refusal(skipStage(t.db, actor(admin), kase.id, core!.id));
    expect(required).toBeInstanceOf(ConflictError);
    expect(required.message).toBe(`The stage "Core" is required and cannot be skipped.`);
    await skipStage(t.db, actor(admin), kase.id, extra!.id);
    expect((await t.db.caseStage.findUniqueOrThrow({ where: { id: extra!.id } })).status).toBe("skipped");
    expect((await refusal(skipStage(t.db, actor(admin), kase.id, extra!.id))).message).toContain("skipped already");
    expect((await t.db.caseStage.findUniqueOrThrow({ where: { id: core!.id } })).status).toBe("pending");
    const [event] = await auditOf(t.db, kase.id, "case.stage_skip");
    expect(changesOf(event!)["stage:Nice to have"]).toEqual({ before: "pending", after: "skipped" });
  });

  it("allows no stage work on resolved or closed cases", async () => {
    const manager = await makeUser(t.db, { role: "manager" });
    const { type } = await makeCaseType(t.db, { stages: [{ name: "Review", approvalRequired: true }, { name: "Later" }, { name: "Maybe", required: false }] });
    for (const status of ["resolved", "closed"] as const) {
      const kase = await openCase(t.db, admin, { clientId: client.id, typeId: type.id, managerId: manager.id });
      await startStage(t.db, actor(admin), kase.id, kase.stages[0]!.id);
      await putInStatus(t.db, kase.id, status);
      const attempts = [
        () => approveStage(t.db, actor(manager), kase.id, kase.stages[0]!.id, null),
        () => completeStage(t.db, actor(admin), kase.id, kase.stages[0]!.id, null),
        () => startStage(t.db, actor(admin), kase.id, kase.stages[1]!.id),
        () => skipStage(t.db, actor(admin), kase.id, kase.stages[2]!.id),
      ];
      for (const attempt of attempts) {
        const error = await refusal(attempt());
        expect(error).toBeInstanceOf(ConflictError);
        expect(error.message).toBe("This case is resolved or closed: reopen it before working on its stages.");
      }
      const stages = await t.db.caseStage.findMany({ where: { caseId: kase.id }, orderBy: { position: "asc" } });
      expect(stages.map((s) => s.status)).toEqual(["in_progress", "pending", "pending"]);
      expect(await t.db.caseStageApproval.count({ where: { stageId: kase.stages[0]!.id } })).toBe(0);
    }
  });

  it("lists the approvals waiting for a user: stages under way they may approve, short of approvers, on cases they see", async () => {
    const caseManager = await makeUser(t.db, { role: "staff", department: "Approvals" });
    const manager = await makeUser(t.db, { role: "manager", department: "Approvals" });
    const elsewhere = await makeUser(t.db, { role: "manager", department: "Elsewhere" });
    const legal = await makeUser(t.db, { role: "staff", legalTeam: true });
    const { type } = await makeCaseType(t.db, {
      requiresLegalReview: true,
      stages: [
        { name: "Partner approval", stageType: "approval", approvalRequired: true, minApprovers: 2 },
        { name: "Legal review", stageType: "legal_review", approvalRequired: true, parallel: true },
        { name: "Not yet", approvalRequired: true },
      ],
    });
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId: type.id, managerId: caseManager.id });
    const [partner, legalReview] = kase.stages;
    const waiting = async (user: typeof admin) => (await approvalsWaitingFor(t.db, actor(user))).filter((w) => w.case_id === kase.id).map((w) => [w.stage_name, w.approvals, w.min_approvers]);

    expect(await waiting(manager)).toEqual([]); // nothing under way yet
    await startStage(t.db, actor(caseManager), kase.id, partner!.id);
    await startStage(t.db, actor(caseManager), kase.id, legalReview!.id);
    expect(await waiting(manager)).toEqual([["Partner approval", 0, 2]]);
    expect((await waiting(legal)).sort()).toEqual([["Legal review", 0, 1], ["Partner approval", 0, 2]]);
    expect(await waiting(caseManager)).toEqual([]); // staff do not approve
    expect(await waiting(elsewhere)).toEqual([]); // the case is hidden from another department

    await approveStage(t.db, actor(manager), kase.id, partner!.id, null);
    expect(await waiting(manager)).toEqual([]);
    expect((await waiting(legal)).sort()).toEqual([["Legal review", 0, 1], ["Partner approval", 1, 2]]);
    await approveStage(t.db, actor(legal), kase.id, partner!.id, null);
    expect(await waiting(legal)).toEqual([["Legal review", 0, 1]]);
    expect(await waiting(admin)).toEqual([]); // enough approvers now; the legal review is not the admin's to approve

    await putInStatus(t.db, kase.id, "resolved");
    expect(await waiting(legal)).toEqual([]);
  });

  it("refuses stage work by a staff member outside the case, as not found", async () => {
    const outsider = await makeUser(t.db, { role: "staff" });
    const { type } = await makeCaseType(t.db, { stages: [{ name: "Only" }] });
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId: type.id });
    expect(await refusal(startStage(t.db, actor(outsider), kase.id, kase.stages[0]!.id))).toBeInstanceOf(NotFoundError);
    expect((await t.db.caseStage.findUniqueOrThrow({ where: { id: kase.stages[0]!.id } })).status).toBe("pending");
  });
});
