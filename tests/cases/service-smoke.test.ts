import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { actor, makeCaseType, makeClient, openCase } from "./support.ts";
import { changeCaseStatus } from "../../src/cases/service.ts";
import { approveStage, completeStage, startStage } from "../../src/cases/workflow.ts";

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

describe("case core", () => {
  it("opens a case with stages, moves it and approves a stage", async () => {
    const admin = await makeUser(t.db, { role: "admin" });
    const manager = await makeUser(t.db, { role: "manager" });
    const client = await makeClient(t.db, admin.id);
    const { type } = await makeCaseType(t.db, { stages: [{ name: "Intake" }, { name: "Sign-off", approvalRequired: true, minApprovers: 2 }] });
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId: type.id });
    expect(kase.caseNumber).toMatch(/^CASE-\d{4}-\d{6}$/);
    expect(kase.stages.map((s) => s.name)).toEqual(["Intake", "Sign-off"]);
    await changeCaseStatus(t.db, actor(admin), kase.id, { to: "assigned", from: "new", resolutionType: null, resolutionSummary: null, note: null });
    await expect(changeCaseStatus(t.db, actor(admin), kase.id, { to: "resolved", resolutionType: "settled", resolutionSummary: null, note: null })).rejects.toThrow(/From Assigned it can move to In progress, On hold or Closed/);
    await startStage(t.db, actor(admin), kase.id, kase.stages[0]!.id);
    await completeStage(t.db, actor(admin), kase.id, kase.stages[0]!.id, null);
    await startStage(t.db, actor(admin), kase.id, kase.stages[1]!.id);
    await approveStage(t.db, actor(admin), kase.id, kase.stages[1]!.id, null);
    await expect(completeStage(t.db, actor(admin), kase.id, kase.stages[1]!.id, null)).rejects.toThrow();
    await approveStage(t.db, actor(manager), kase.id, kase.stages[1]!.id, null).catch(() => undefined);
    const adminActor = actor(admin);
    await expect(approveStage(t.db, adminActor, kase.id, kase.stages[1]!.id, null)).rejects.toThrow(/already approved/);
  });
});
