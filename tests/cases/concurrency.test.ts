// Two people clicking the same button at once: every case change is applied once, never twice, and numbering and
// manager capacity hold when many requests arrive together.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { actor, makeCaseType, makeClient, openCase } from "./support.ts";
import { auditOf, editInput, move } from "./rules-support.ts";
import { ConflictError, NotFoundError, ValidationError } from "../../src/errors.ts";
import { addTeamMember, deleteCase, restoreCase, updateCase } from "../../src/cases/service.ts";
import { approveStage, completeStage, startStage } from "../../src/cases/workflow.ts";

let t: TestApp;
let admin: Awaited<ReturnType<typeof makeUser>>;
let client: Awaited<ReturnType<typeof makeClient>>;
let typeId: string;
const ROOMY = { maxActiveCasesPerManager: 100_000 };

beforeAll(async () => {
  t = await createTestApp();
  admin = await makeUser(t.db, { role: "admin" });
  client = await makeClient(t.db, admin.id);
  typeId = (await makeCaseType(t.db)).type.id;
});
afterAll(async () => {
  await t.close();
});

/** Runs the same call `times` times at once and sorts the outcomes. */
async function atOnce<T>(times: number, call: () => Promise<T>) {
  const outcomes = await Promise.allSettled(Array.from({ length: times }, call));
  return {
    fulfilled: outcomes.filter((o): o is PromiseFulfilledResult<Awaited<T>> => o.status === "fulfilled").map((o) => o.value),
    rejected: outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected").map((o) => o.reason as Error),
  };
}

const numberOf = (caseNumber: string) => Number(caseNumber.slice(-6));

describe("at the same moment", () => {
  it("gives 30 cases opened at once 30 distinct, consecutive numbers", async () => {
    const opened = await Promise.all(Array.from({ length: 30 }, () => openCase(t.db, admin, { clientId: client.id, typeId }, ROOMY)));
    const numbers = opened.map((c) => c.caseNumber);
    expect(new Set(numbers).size).toBe(30);
    const year = new Date().getUTCFullYear();
    for (const n of numbers) expect(n).toMatch(new RegExp(`^CASE-${year}-\\d{6}$`));
    const sorted = numbers.map(numberOf).sort((a, b) => a - b);
    expect(sorted).toEqual(Array.from({ length: 30 }, (_, i) => sorted[0]! + i));
    const counter = await t.db.caseNumberCounter.findUniqueOrThrow({ where: { year } });
    expect(counter.last).toBe(sorted.at(-1));
    expect(await t.db.auditEvent.count({ where: { action: "case.create", entityId: { in: opened.map((c) => c.id) } } })).toBe(30);
  });

  it("applies the same transition fired five times with the same `from` exactly once", async () => {
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId }, ROOMY);
    const { fulfilled, rejected } = await atOnce(5, () => move(t.db, admin, kase.id, "assigned", "new"));
    expect(fulfilled).toEqual([{ status: "assigned" }]);
    expect(rejected).toHaveLength(4);
    for (const error of rejected) expect(error).toBeInstanceOf(ConflictError);
    expect((await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).status).toBe("assigned");
    expect(await auditOf(t.db, kase.id, "case.status")).toHaveLength(1);
  });

  it("applies only one of two different moves from the same status made at once", async () => {
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId }, ROOMY);
    await move(t.db, admin, kase.id, "in_progress", "new");
    const outcomes = await Promise.allSettled([move(t.db, admin, kase.id, "on_hold", "in_progress"), move(t.db, admin, kase.id, "resolved", "in_progress")]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const events = await auditOf(t.db, kase.id, "case.status");
    expect(events).toHaveLength(2);
    const status = (await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).status;
    expect(["on_hold", "resolved"]).toContain(status);
  });

  it("stores one approval when the same user approves five times at once", async () => {
    const manager = await makeUser(t.db, { role: "manager" });
    const { type } = await makeCaseType(t.db, { stages: [{ name: "Sign-off", approvalRequired: true, minApprovers: 2 }] });
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId: type.id, managerId: manager.id }, ROOMY);
    const stage = kase.stages[0]!;
    await startStage(t.db, actor(admin), kase.id, stage.id);
    const { fulfilled, rejected } = await atOnce(5, () => approveStage(t.db, actor(manager), kase.id, stage.id, null));
    expect(fulfilled).toEqual([{ name: "Sign-off", approvals: 1, needed: 2 }]);
    for (const error of rejected) expect(error).toBeInstanceOf(ConflictError);
    expect(await t.db.caseStageApproval.count({ where: { stageId: stage.id } })).toBe(1);
    expect(await auditOf(t.db, kase.id, "case.stage_approve")).toHaveLength(1);
  });

  it("completes a stage once when completion is fired five times at once", async () => {
    const { type } = await makeCaseType(t.db, { stages: [{ name: "Review", approvalRequired: true, minApprovers: 1 }, { name: "Next" }] });
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId: type.id }, ROOMY);
    const stage = kase.stages[0]!;
    await startStage(t.db, actor(admin), kase.id, stage.id);
    await approveStage(t.db, actor(admin), kase.id, stage.id, null);
    const { fulfilled, rejected } = await atOnce(5, () => completeStage(t.db, actor(admin), kase.id, stage.id, null));
    expect(fulfilled).toHaveLength(1);
    for (const error of rejected) {
      expect(error).toBeInstanceOf(ConflictError);
      expect(error.message).toBe(`The stage "Review" is completed already.`);
    }
    expect(await auditOf(t.db, kase.id, "case.stage_complete")).toHaveLength(1);
    expect((await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).currentStageId).toBe(kase.stages[1]!.id);
  });

  it("adds a team member once when the same addition is fired five times at once", async () => {
    const colleague = await makeUser(t.db, { role: "staff" });
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId }, ROOMY);
    const { fulfilled, rejected } = await atOnce(5, () => addTeamMember(t.db, actor(admin), kase.id, { userId: colleague.id, role: "paralegal" }));
    expect(fulfilled).toHaveLength(1);
    for (const error of rejected) expect(error).toBeInstanceOf(ConflictError);
    expect(await t.db.caseTeamMember.count({ where: { caseId: kase.id } })).toBe(1);
    expect(await auditOf(t.db, kase.id, "case.team_add")).toHaveLength(1);
  });

  it("deletes a case once when deletion is fired five times at once", async () => {
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId }, ROOMY);
    const { fulfilled, rejected } = await atOnce(5, () => deleteCase(t.db, actor(admin), kase.id, "Duplicate"));
    expect(fulfilled).toHaveLength(1);
    for (const error of rejected) expect(error).toBeInstanceOf(NotFoundError);
    expect(await auditOf(t.db, kase.id, "case.delete")).toHaveLength(1);
  });

  it("restores a case once when restoring is fired five times at once", async () => {
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId }, ROOMY);
    await deleteCase(t.db, actor(admin), kase.id, "Duplicate");
    const { fulfilled, rejected } = await atOnce(5, () => restoreCase(t.db, actor(admin), kase.id));
    expect(fulfilled).toEqual([{ caseNumber: kase.caseNumber }]);
    for (const error of rejected) expect(error.constructor === ConflictError || error.constructor === NotFoundError).toBe(true);
    expect(await auditOf(t.db, kase.id, "case.restore")).toHaveLength(1);
    expect((await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).deletedAt).toBeNull();
  });

  it("does not move a case that was deleted while the move waited", async () => {
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId }, ROOMY);
    const [deleted, ...moves] = await Promise.allSettled([
      deleteCase(t.db, actor(admin), kase.id, "Duplicate"),
      ...Array.from({ length: 4 }, () => move(t.db, admin, kase.id, "assigned")),
    ]);
    const stored = await t.db.case.findUniqueOrThrow({ where: { id: kase.id } });
    const moved = moves.filter((m) => m.status === "fulfilled").length;
    expect(moved).toBeLessThanOrEqual(1);
    expect(await auditOf(t.db, kase.id, "case.status")).toHaveLength(moved);
    if (deleted.status === "fulfilled") {
      // whatever moved, moved before the deletion: the deletion is the last event of the case
      const events = await auditOf(t.db, kase.id);
      expect(events.at(-1)!.action).toBe("case.delete");
      expect(stored.deletedAt).not.toBeNull();
    }
  });

  it("never both deletes a case and starts its stage when both arrive at once", async () => {
    const { type } = await makeCaseType(t.db, { stages: [{ name: "Drafting" }] });
    for (let round = 0; round < 5; round += 1) {
      const kase = await openCase(t.db, admin, { clientId: client.id, typeId: type.id }, ROOMY);
      const [started, deleted] = await Promise.allSettled([
        startStage(t.db, actor(admin), kase.id, kase.stages[0]!.id),
        deleteCase(t.db, actor(admin), kase.id, "Race"),
      ]);
      const stored = await t.db.case.findUniqueOrThrow({ where: { id: kase.id }, include: { stages: true } });
      if (deleted.status === "fulfilled") {
        expect(started.status).toBe("rejected");
        expect((started as PromiseRejectedResult).reason).toBeInstanceOf(NotFoundError);
        expect(stored.deletedAt).not.toBeNull();
        expect(stored.stages[0]!.status).toBe("pending");
      } else {
        expect(started.status).toBe("fulfilled");
        expect(deleted.reason).toBeInstanceOf(ConflictError);
        expect(stored.deletedAt).toBeNull();
        expect(stored.stages[0]!.status).toBe("in_progress");
      }
    }
  });
});

describe("manager capacity under concurrency", () => {
  const TWO = { maxActiveCasesPerManager: 2 };

  it("lets exactly one of two managers take a full manager's last slot at once", async () => {
    const [a, b] = [await makeUser(t.db, { role: "manager", department: "Tax" }), await makeUser(t.db, { role: "manager", department: "Tax" })];
    const target = await makeUser(t.db, { role: "manager", department: "Tax", name: "Last Slot" });
    await openCase(t.db, admin, { clientId: client.id, typeId, managerId: target.id }, TWO);
    const outcomes = await Promise.allSettled([
      openCase(t.db, a, { clientId: client.id, typeId, managerId: target.id }, TWO),
      openCase(t.db, b, { clientId: client.id, typeId, managerId: target.id }, TWO),
    ]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const refused = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected")!.reason as ValidationError;
    expect(refused).toBeInstanceOf(ValidationError);
    expect(refused.fields.managerId).toContain("Last Slot already manages 2 active cases");
    expect(await t.db.case.count({ where: { managerId: target.id } })).toBe(2);
  });

  it("lets exactly one of four reassignments at once take a manager's last slot", async () => {
    const others: Awaited<ReturnType<typeof makeUser>>[] = [];
    for (let i = 0; i < 4; i += 1) others.push(await makeUser(t.db, { role: "manager", department: "Audit" }));
    const target = await makeUser(t.db, { role: "manager", department: "Audit" });
    await openCase(t.db, admin, { clientId: client.id, typeId, managerId: target.id }, TWO);
    const kases = [];
    for (const other of others) kases.push(await openCase(t.db, admin, { clientId: client.id, typeId, managerId: other.id }, TWO));
    const outcomes = await Promise.allSettled(kases.map((kase, i) => updateCase(t.db, actor(others[i]!), kase.id, editInput(kase, { managerId: target.id }), TWO)));
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    for (const o of outcomes) if (o.status === "rejected") expect(o.reason).toBeInstanceOf(ValidationError);
    expect(await t.db.case.count({ where: { managerId: target.id } })).toBe(2);
  });
});
