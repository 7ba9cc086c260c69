// case_access (migration case_access) is kept by triggers: after every kind of change to cases, their teams and their
// clients' restriction it must hold exactly one row per live case and person managing it or on its team, with the
// case's current columns. Checked against the same rows derived from the base tables after each step.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { actor, makeCaseType, makeClient, openCase } from "./support.ts";
import { editInput, move } from "./rules-support.ts";
import { addTeamMember, deleteCase, removeTeamMember, restoreCase, updateCase } from "../../src/cases/service.ts";

let t: TestApp;
const ROOMY = { maxActiveCasesPerManager: 1000 };

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const COLUMNS = `user_id::text, case_id::text, number_lower, title_lower, status::text, client_id::text, client_confidential, manager_id::text,
  updated_at, priority::text, type_id::text, next_review_date, created_at`;

/** Rows of case_access that the base tables do not give, and rows they give that case_access lacks. */
async function drift() {
  const derived = `SELECT u.user_id, k.id AS case_id, lower(k.case_number) AS number_lower, lower(k.title) AS title_lower, k.status, k.client_id, c.is_confidential AS client_confidential,
      k.manager_id, k.updated_at, k.priority, k.type_id, k.next_review_date, k.created_at
    FROM cases k JOIN clients c ON c.id = k.client_id
      CROSS JOIN LATERAL (SELECT k.manager_id AS user_id UNION SELECT m.user_id FROM case_team_members m WHERE m.case_id = k.id) u
    WHERE k.deleted_at IS NULL`;
  const extra = await t.db.$queryRawUnsafe<unknown[]>(`SELECT ${COLUMNS} FROM case_access EXCEPT SELECT ${COLUMNS} FROM (${derived}) d`);
  const missing = await t.db.$queryRawUnsafe<unknown[]>(`SELECT ${COLUMNS} FROM (${derived}) d EXCEPT SELECT ${COLUMNS} FROM case_access`);
  const total = await t.db.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM case_access`);
  return { extra, missing, rows: Number(total[0]!.n) };
}

async function expectInStep(rows?: number) {
  const d = await drift();
  expect(d.extra).toEqual([]);
  expect(d.missing).toEqual([]);
  if (rows !== undefined) expect(d.rows).toBe(rows);
}

describe("case_access, kept by triggers", () => {
  it("follows every change to cases, teams and clients' restriction", async () => {
    const db = t.db;
    const admin = await makeUser(db, { role: "admin", viewConfidential: true });
    const [ann, ben, cat] = await Promise.all(["Ann", "Ben", "Cat"].map((name) => makeUser(db, { role: "staff", name })));
    const client = await makeClient(db, admin.id, { name: "Access Agency" });
    const otherClient = await makeClient(db, admin.id, { name: "Other Outfit" });
    const { type } = await makeCaseType(db);
    const { type: otherType } = await makeCaseType(db, { name: "Other type" });
    await expectInStep(0);

    // Opening: the manager's row.
    const kase = await openCase(db, admin, { clientId: client.id, typeId: type.id, managerId: ann!.id }, ROOMY);
    await expectInStep(1);
    // Team: rows come and go with members; the manager joining the team too stays one row.
    await addTeamMember(db, actor(admin), kase.id, { userId: ben!.id, role: "associate" });
    await addTeamMember(db, actor(admin), kase.id, { userId: cat!.id, role: "reviewer" });
    await expectInStep(3);
    await db.caseTeamMember.create({ data: { caseId: kase.id, userId: ann!.id, role: "lead" } });
    await expectInStep(3);
    await removeTeamMember(db, actor(admin), kase.id, cat!.id);
    await expectInStep(2);

    // Edits: title, priority, type, review date, manager (the old manager keeps a row only as a team member).
    const stored = await db.case.findUniqueOrThrow({ where: { id: kase.id } });
    await updateCase(db, actor(admin), kase.id, editInput(stored, { title: "Renamed matter", priority: "critical", nextReviewDate: "2027-01-31", managerId: cat!.id }), ROOMY);
    await expectInStep(3);
    await db.caseTeamMember.delete({ where: { caseId_userId: { caseId: kase.id, userId: ann!.id } } });
    await expectInStep(2);
    await db.case.update({ where: { id: kase.id }, data: { typeId: otherType.id, clientId: otherClient.id } });
    await expectInStep(2);

    // Status moves.
    await move(db, admin, kase.id, "assigned");
    await expectInStep(2);

    // The client's restriction, both ways.
    await db.client.update({ where: { id: otherClient.id }, data: { isConfidential: true } });
    await expectInStep(2);
    expect(await db.caseAccess.count({ where: { caseId: kase.id, clientConfidential: true } })).toBe(2);
    await db.client.update({ where: { id: otherClient.id }, data: { isConfidential: false } });
    await expectInStep(2);

    // Soft delete removes the rows, restoring brings them back; a hard delete leaves nothing behind.
    await deleteCase(db, actor(admin), kase.id, "Opened by mistake");
    await expectInStep(0);
    await restoreCase(db, actor(admin), kase.id);
    await expectInStep(2);
    const second = await openCase(db, admin, { clientId: client.id, typeId: type.id, managerId: ben!.id }, ROOMY);
    await expectInStep(3);
    await db.case.delete({ where: { id: second.id } });
    await expectInStep(2);

    // Many cases written at once (as an import or a script would).
    await db.case.createMany({
      data: Array.from({ length: 20 }, (_, i) => ({
        caseNumber: `CASE-1998-${String(i + 1).padStart(6, "0")}`, title: `Bulk ${i}`, description: "Bulk", clientId: client.id,
        typeId: type.id, managerId: i % 2 ? ann!.id : ben!.id, createdById: admin.id,
      })),
    });
    await db.case.updateMany({ where: { caseNumber: { startsWith: "CASE-1998-" } }, data: { status: "on_hold" } });
    await expectInStep(22);
  });
});
