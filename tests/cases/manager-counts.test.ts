// The kept per-manager case counts (case_manager_counts, migration case_manager_counts): after every kind of change
// to a case (opened, status changed, moved to another manager, deleted and restored, its client restricted, removed)
// they equal a direct count of live cases; two cases moving between the same statuses in opposite directions at once
// both land (no deadlock); the same for the kept overdue stages (case_stage_deadline_counts), also when a stage and
// its case change at once; and the counts the home page and the workload view read through src/access/cases.ts
// equal a direct count of the cases and stages each reader may see.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "../../src/generated/prisma/client.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { managedCaseCountsSql, managedOverdueStageCountsSql, visibleCasesSql } from "../../src/access/cases.ts";
import { casesIManage } from "../../src/cases/summaries.ts";
import { makeCaseType, makeClient, openCase } from "./support.ts";

let t: TestApp;
type User = Awaited<ReturnType<typeof makeUser>>;
let admin: User, adminVc: User, manager: User, other: User, staff: User, staffTeam: User;
let clientOpen: { id: string }, clientRestricted: { id: string };
let typeId: string;

type Keyed = { key: string; n: bigint }[];
const asMap = (rows: Keyed) => Object.fromEntries(rows.map((r) => [r.key, Number(r.n)]));

async function kept(): Promise<Record<string, number>> {
  const rows = await t.db.$queryRaw<Keyed>`SELECT manager_id || '/' || status || '/' || client_confidential AS key, n
    FROM case_manager_counts WHERE n > 0`;
  return asMap(rows);
}

async function direct(): Promise<Record<string, number>> {
  const rows = await t.db.$queryRaw<Keyed>`SELECT manager_id || '/' || status || '/' || client_confidential AS key, count(*) AS n
    FROM cases WHERE deleted_at IS NULL GROUP BY manager_id, status, client_confidential`;
  return asMap(rows);
}

async function keptDeadlines(): Promise<Record<string, number>> {
  const rows = await t.db.$queryRaw<Keyed>`SELECT manager_id || '/' || month || '/' || deadline || '/' || case_status || '/' || client_confidential AS key, n
    FROM case_stage_deadline_counts WHERE n <> 0`;
  return asMap(rows);
}

async function directDeadlines(): Promise<Record<string, number>> {
  const rows = await t.db.$queryRaw<Keyed>`SELECT k.manager_id || '/' || g.month || '/' || g.deadline || '/' || k.status || '/' || k.client_confidential AS key,
      count(*) AS n
    FROM case_stages s JOIN cases k ON k.id = s.case_id
    CROSS JOIN LATERAL (VALUES (false, s.deadline), (true, date_trunc('month', s.deadline)::date)) g(month, deadline)
    WHERE k.deleted_at IS NULL AND s.status IN ('pending', 'in_progress') AND s.deadline IS NOT NULL GROUP BY 1`;
  return asMap(rows);
}

async function expectKept() {
  expect(await kept()).toEqual(await direct());
  expect(await keptDeadlines()).toEqual(await directDeadlines());
}

const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n));

beforeAll(async () => {
  t = await createTestApp();
  admin = await makeUser(t.db, { role: "admin" });
  adminVc = await makeUser(t.db, { role: "admin", viewConfidential: true });
  manager = await makeUser(t.db, { role: "manager", department: "Counts" });
  other = await makeUser(t.db, { role: "manager", department: "Elsewhere" });
  staff = await makeUser(t.db, { role: "staff", department: "Counts" });
  staffTeam = await makeUser(t.db, { role: "staff", department: "Counts" });
  clientOpen = await makeClient(t.db, admin.id, { name: "Counts Open Client" });
  clientRestricted = await makeClient(t.db, admin.id, { name: "Counts Restricted Client", isConfidential: true, accountManagerId: staffTeam.id });
  typeId = (await makeCaseType(t.db, { stages: [{ name: "Only" }] })).type.id;
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const open = (managerId: string, clientId: string, title: string) => openCase(t.db, adminVc, { clientId, typeId, managerId, title }, { maxActiveCasesPerManager: 100 });

describe("case_manager_counts", () => {
  it("follows cases as they are opened, changed, moved, deleted, restored, restricted and removed", async () => {
    await expectKept();
    const a = await open(staff.id, clientOpen.id, "Counts A");
    const b = await open(staff.id, clientRestricted.id, "Counts B");
    const c = await open(staffTeam.id, clientOpen.id, "Counts C");
    await expectKept();
    // Stages: deadlines set, moved and cleared, started, completed, removed.
    await t.db.caseStage.update({ where: { id: a.stages[0]!.id }, data: { deadline: day(3) } });
    await t.db.caseStage.update({ where: { id: b.stages[0]!.id }, data: { deadline: day(3) } });
    await t.db.caseStage.update({ where: { id: c.stages[0]!.id }, data: { deadline: day(5), status: "in_progress" } });
    await expectKept();
    await t.db.caseStage.update({ where: { id: a.stages[0]!.id }, data: { deadline: day(4) } });
    await t.db.caseStage.update({ where: { id: c.stages[0]!.id }, data: { status: "completed", completedAt: new Date() } });
    await expectKept();
    await t.db.caseStage.update({ where: { id: c.stages[0]!.id }, data: { status: "in_progress", completedAt: null } });
    await t.db.caseStage.update({ where: { id: b.stages[0]!.id }, data: { deadline: null } });
    await t.db.caseStage.update({ where: { id: b.stages[0]!.id }, data: { deadline: day(1) } });
    await expectKept();
    await t.db.case.update({ where: { id: a.id }, data: { status: "in_progress" } });
    await expectKept();
    await t.db.case.update({ where: { id: a.id }, data: { managerId: staffTeam.id } });
    await expectKept();
    await t.db.case.update({ where: { id: b.id }, data: { deletedAt: new Date(), deletedById: admin.id } });
    await expectKept();
    await t.db.case.update({ where: { id: b.id }, data: { deletedAt: null, deletedById: null, status: "closed" } });
    await expectKept();
    // The client's restriction reaches its cases' copies, and the counts move with them.
    await t.db.client.update({ where: { id: clientOpen.id }, data: { isConfidential: true } });
    await expectKept();
    await t.db.client.update({ where: { id: clientOpen.id }, data: { isConfidential: false } });
    await expectKept();
    await t.db.$executeRaw`DELETE FROM cases WHERE id = ${c.id}::uuid`;
    await expectKept();
    const d = await open(staff.id, clientOpen.id, "Counts D");
    await t.db.caseStage.update({ where: { id: d.stages[0]!.id }, data: { deadline: day(2) } });
    await t.db.caseStage.delete({ where: { id: d.stages[0]!.id } });
    await expectKept();
  });

  it("lets two cases move between two statuses in opposite directions at once", async () => {
    const pairs = [];
    for (let i = 0; i < 6; i++) pairs.push([await open(other.id, clientOpen.id, `Swap ${i} x`), await open(other.id, clientOpen.id, `Swap ${i} y`)] as const);
    for (const [x] of pairs) await t.db.case.update({ where: { id: x.id }, data: { status: "in_progress" } });
    // x: in_progress -> new and y: new -> in_progress, in two transactions that each hold their first row a moment.
    const move = (id: string, status: "new" | "in_progress") =>
      t.db.$transaction(async (tx) => {
        await tx.case.update({ where: { id }, data: { status } });
        await tx.$executeRaw`SELECT pg_sleep(0.05)`;
      });
    const results = await Promise.allSettled(pairs.flatMap(([x, y]) => [move(x.id, "new"), move(y.id, "in_progress")]));
    expect(results.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    await expectKept();
  });

  it("keeps the overdue stages exact when a stage and its case change at once", async () => {
    for (let i = 0; i < 4; i++) {
      const k = await open(other.id, clientOpen.id, `Race ${i}`);
      await t.db.caseStage.update({ where: { id: k.stages[0]!.id }, data: { deadline: day(10) } });
      const results = await Promise.allSettled([
        t.db.$transaction(async (tx) => {
          await tx.caseStage.update({ where: { id: k.stages[0]!.id }, data: { deadline: day(11 + i) } });
          await tx.$executeRaw`SELECT pg_sleep(0.05)`;
        }),
        t.db.$transaction(async (tx) => {
          await tx.case.update({ where: { id: k.id }, data: { managerId: i % 2 ? staff.id : manager.id, status: "on_hold" } });
          await tx.$executeRaw`SELECT pg_sleep(0.05)`;
        }),
      ]);
      expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    }
    await expectKept();
  });

  it("gives each reader the counts of the cases they may see, managed by the managers they have a reason for", async () => {
    await open(manager.id, clientOpen.id, "Counts M1");
    await open(manager.id, clientRestricted.id, "Counts M2");
    await open(staffTeam.id, clientRestricted.id, "Counts T1");
    const s1 = await open(staff.id, clientRestricted.id, "Counts S1");
    // Overdue stages: this month before today (day rows), earlier months (month rows), today and later (not overdue).
    const today = new Date(new Date().toISOString().slice(0, 10) + "T00:00:00Z");
    const daysFrom = (n: number) => new Date(today.getTime() + n * 86_400_000);
    const firstOfMonth = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1));
    const deadlines = [daysFrom(-1), firstOfMonth, daysFrom(-40), daysFrom(0), daysFrom(1), daysFrom(-400)];
    let i = 0;
    for (const managerId of [manager.id, staffTeam.id, staff.id, other.id]) {
      for (const clientId of [clientOpen.id, clientRestricted.id]) {
        const k = await open(managerId, clientId, `Overdue ${i}`);
        await t.db.caseStage.update({ where: { id: k.stages[0]!.id }, data: { deadline: deadlines[i++ % deadlines.length]! } });
      }
    }
    await t.db.caseStage.update({ where: { id: s1.stages[0]!.id }, data: { deadline: daysFrom(-2) } });
    await expectKept();
    const people = [manager, other, staff, staffTeam, admin, adminVc].map((u) => u.id);
    for (const reader of [admin, adminVc, manager, other, staff, staffTeam]) {
      const got = await t.db.$queryRaw<Keyed>(Prisma.sql`SELECT m.manager_id || '/' || m.status AS key, sum(m.n) AS n
        FROM (${managedCaseCountsSql(reader, Prisma.sql`SELECT unnest(${people}::uuid[])`)}) m GROUP BY 1`);
      // A direct count of the visible cases, over the managers that give the reader a reason to see all their cases.
      const reasonFor = reader.role === "admin" ? people : reader.role === "manager" ? [manager, other, staff, staffTeam].filter((u) => u.department === reader.department || u.id === reader.id).map((u) => u.id) : [reader.id];
      const want = await t.db.$queryRaw<Keyed>(Prisma.sql`SELECT k.manager_id || '/' || k.status AS key, count(*) AS n
        FROM cases k WHERE k.manager_id = ANY(${reasonFor}::uuid[]) AND ${visibleCasesSql(reader, "k")} GROUP BY 1`);
      const positive = (rows: Keyed) => asMap(rows.filter((r) => Number(r.n) > 0));
      expect(positive(got), reader.email).toEqual(positive(want));
      // Overdue stages of active cases, per manager.
      const active = ["new", "assigned", "in_progress", "on_hold", "reopened"] as const;
      const late = await t.db.$queryRaw<Keyed>(Prisma.sql`SELECT m.manager_id::text AS key, sum(m.n) AS n
        FROM (${managedOverdueStageCountsSql(reader, Prisma.sql`SELECT unnest(${people}::uuid[])`, active)}) m GROUP BY 1`);
      const lateWant = await t.db.$queryRaw<Keyed>(Prisma.sql`SELECT k.manager_id::text AS key, count(*) AS n
        FROM cases k JOIN case_stages st ON st.case_id = k.id
        WHERE k.manager_id = ANY(${reasonFor}::uuid[]) AND ${visibleCasesSql(reader, "k")} AND k.status::text = ANY(${[...active]})
          AND st.status IN ('pending', 'in_progress') AND st.deadline < current_date GROUP BY 1`);
      expect(positive(late), `overdue ${reader.email}`).toEqual(positive(lateWant));
      expect(Object.keys(positive(lateWant)).length, `overdue ${reader.email}`).toBeGreaterThan(0);
      // The home page's "by status" for the reader's own cases.
      const mine = await casesIManage(t.db, reader);
      const mineWant = await t.db.$queryRaw<{ status: string; n: bigint }[]>(Prisma.sql`SELECT k.status::text AS status, count(*) AS n
        FROM cases k WHERE k.manager_id = ${reader.id}::uuid AND ${visibleCasesSql(reader, "k")} GROUP BY 1`);
      expect(Object.fromEntries(mine.byStatus.filter((s) => s.count > 0).map((s) => [s.status, s.count])), reader.email).toEqual(
        Object.fromEntries(mineWant.map((r) => [r.status, Number(r.n)])),
      );
    }
    // Staff off the restricted client's team do not count its case they manage; its team does.
    const staffMine = await casesIManage(t.db, staff);
    expect(staffMine.cases.map((k) => k.title)).not.toContain("Counts S1");
    const teamMine = await casesIManage(t.db, staffTeam);
    expect(teamMine.cases.map((k) => k.title)).toContain("Counts T1");
  });
});
