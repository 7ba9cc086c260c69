// case_access (migration case_access) is kept by triggers: after every kind of change to cases, their teams and their
// clients' restriction it must hold exactly one row per live case and person managing it or on its team, with the
// case's current columns. Checked against the same rows derived from the base tables after each step.
import pg from "pg";
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

/** Cases (live or deleted) whose copy of their client's restriction differs from the client's. */
async function staleClientFlags() {
  return t.db.$queryRawUnsafe<unknown[]>(`SELECT k.id::text, k.client_confidential, c.is_confidential
    FROM cases k JOIN clients c ON c.id = k.client_id WHERE k.client_confidential IS DISTINCT FROM c.is_confidential`);
}

async function expectInStep(rows?: number) {
  const d = await drift();
  expect(d.extra).toEqual([]);
  expect(d.missing).toEqual([]);
  if (rows !== undefined) expect(d.rows).toBe(rows);
  expect(await staleClientFlags()).toEqual([]);
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

    // A case opened for a restricted client carries the flag from the start; writing the flag by hand changes nothing.
    const quiet = await makeClient(db, admin.id, { name: "Quiet Quarters", isConfidential: true });
    const third = await openCase(db, admin, { clientId: quiet.id, typeId: type.id, managerId: ben!.id }, ROOMY);
    await expectInStep(3);
    expect((await db.case.findUniqueOrThrow({ where: { id: third.id } })).clientConfidential).toBe(true);
    await db.case.update({ where: { id: third.id }, data: { clientConfidential: false } });
    await expectInStep(3);
    await db.case.update({ where: { id: third.id }, data: { clientId: client.id } });
    await expectInStep(3);
    expect((await db.case.findUniqueOrThrow({ where: { id: third.id } })).clientConfidential).toBe(false);
    await db.case.delete({ where: { id: third.id } });
    await expectInStep(2);

    // Soft delete removes the rows, restoring brings them back; a hard delete leaves nothing behind.
    await deleteCase(db, actor(admin), kase.id, "Opened by mistake");
    await expectInStep(0);
    // A deleted case follows its client's restriction too, so it comes back with the right flag.
    await db.client.update({ where: { id: otherClient.id }, data: { isConfidential: true } });
    await expectInStep(0);
    await db.client.update({ where: { id: otherClient.id }, data: { isConfidential: false } });
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

  it("does not miss a restriction made while a case or a team member is being written", async () => {
    const db = t.db;
    const admin = await makeUser(db, { role: "admin", viewConfidential: true });
    const dee = await makeUser(db, { role: "staff", name: "Dee" });
    const client = await makeClient(db, admin.id, { name: "Racing Rooms" });
    const { type } = await makeCaseType(db, { name: "Race type" });
    const existing = await openCase(db, admin, { clientId: client.id, typeId: type.id, managerId: admin.id }, ROOMY);
    const restricting = new pg.Client({ connectionString: t.url });
    const writing = new pg.Client({ connectionString: t.url });
    await Promise.all([restricting.connect(), writing.connect()]);
    try {
      // The restriction is made but not yet committed when the other transaction opens a case and adds a member.
      await restricting.query("BEGIN");
      await restricting.query(`UPDATE clients SET is_confidential = TRUE WHERE id = $1`, [client.id]);
      await writing.query("BEGIN");
      const opened = writing.query(
        `INSERT INTO cases (id, case_number, title, description, client_id, type_id, manager_id, created_by_id, updated_at)
         VALUES (gen_random_uuid(), 'CASE-1997-000001', 'Raced', 'Raced', $1, $2, $3, $3, now()) RETURNING id`,
        [client.id, type.id, admin.id],
      );
      // It waits for the restriction instead of reading the old value…
      const waited = await Promise.race([opened.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 300))]);
      expect(waited).toBe(true);
      await restricting.query("COMMIT");
      await opened;
      const member = writing.query(`INSERT INTO case_team_members (case_id, user_id, role) VALUES ($1, $2, 'associate')`, [existing.id, dee.id]);
      await member;
      await writing.query("COMMIT");
      // …so every row says the client is restricted.
      await expectInStep();
      expect(await db.caseAccess.count({ where: { clientId: client.id, clientConfidential: false } })).toBe(0);
      expect(await db.case.count({ where: { clientId: client.id, clientConfidential: false } })).toBe(0);

      // The other way round: a team member added while the restriction is lifted, committed first.
      await writing.query("BEGIN");
      await writing.query(`DELETE FROM case_team_members WHERE case_id = $1 AND user_id = $2`, [existing.id, dee.id]);
      await writing.query(`INSERT INTO case_team_members (case_id, user_id, role) VALUES ($1, $2, 'reviewer')`, [existing.id, dee.id]);
      await restricting.query("BEGIN");
      const lifted = restricting.query(`UPDATE clients SET is_confidential = FALSE WHERE id = $1`, [client.id]);
      const liftWaited = await Promise.race([lifted.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 300))]);
      expect(liftWaited).toBe(true);
      await writing.query("COMMIT");
      await lifted;
      await restricting.query("COMMIT");
      await expectInStep();
      expect(await db.caseAccess.count({ where: { clientId: client.id, clientConfidential: true } })).toBe(0);

      // And a team member added while a restriction is being made, committed second.
      await restricting.query("BEGIN");
      await restricting.query(`UPDATE clients SET is_confidential = TRUE WHERE id = $1`, [client.id]);
      await writing.query("BEGIN");
      const joined = writing.query(`DELETE FROM case_team_members WHERE case_id = $1 AND user_id = $2`, [existing.id, dee.id]);
      const joinWaited = await Promise.race([joined.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 300))]);
      expect(joinWaited).toBe(true);
      await restricting.query("COMMIT");
      await joined;
      await writing.query(`INSERT INTO case_team_members (case_id, user_id, role) VALUES ($1, $2, 'associate')`, [existing.id, dee.id]);
      await writing.query("COMMIT");
      await expectInStep();
      expect(await db.caseAccess.count({ where: { clientId: client.id, clientConfidential: false } })).toBe(0);
    } finally {
      await Promise.all([restricting.end(), writing.end()]);
    }
  });
});
