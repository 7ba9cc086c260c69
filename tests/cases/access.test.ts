// The cases access policy at service level: who may know a case exists (getCase, the row check and the SQL
// filter all agree), and what each user may do to a case they see.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { actor, makeCaseType, makeClient, openCase } from "./support.ts";
import { editInput, move, refusal } from "./rules-support.ts";
import { Prisma } from "../../src/generated/prisma/client.ts";
import type { CurrentUser } from "../../src/access/roles.ts";
import { deletedCasesSql, ownVisibleCasesSql, seesOnlyOwnCases, visibleCasesSql, type CaseFacts } from "../../src/access/cases.ts";
import { can } from "../../src/access/permissions.ts";
import { caseIsVisible } from "../../src/access/records.ts";
import { visibleClientsSql, visibleRestrictedClientIdsSql } from "../../src/access/clients.ts";
import { ForbiddenError, NotFoundError } from "../../src/errors.ts";
import { addTeamMember, deleteCase, getCase, updateCase } from "../../src/cases/service.ts";
import { deletedCases } from "../../src/cases/queries.ts";

let t: TestApp;
type Name = "admin" | "adminVC" | "managerSameDept" | "managerOtherDept" | "staffManager" | "staffOtherDept" | "staffTeam" | "staffUnrelated" | "legal" | "managerVC" | "staffVC";
type CaseKey = "plain" | "restrictedOnTeam" | "restrictedOffTeam" | "legalReview" | "complianceReview" | "otherDept" | "deleted" | "deletedRestricted";
type User = Awaited<ReturnType<typeof makeUser>>;
const users = {} as Record<Name, User>;
const cases = {} as Record<CaseKey, string>;
const ROOMY = { maxActiveCasesPerManager: 1000 };

/**
 * Who sees which case, from DOMAIN.md: staff the cases they manage or are on the team of, managers their department's,
 * the legal team cases needing legal (or compliance) review, admins all; never a case of a client hidden from the
 * reader (restricted clients are for their team and holders of "view confidential", admins included); deleted cases
 * for nobody.
 */
const SEES: Record<Name, CaseKey[]> = {
  admin: ["plain", "legalReview", "complianceReview", "otherDept"],
  adminVC: ["plain", "restrictedOnTeam", "restrictedOffTeam", "legalReview", "complianceReview", "otherDept"],
  managerSameDept: ["plain", "restrictedOnTeam", "complianceReview"],
  managerOtherDept: ["legalReview", "otherDept"],
  staffManager: ["plain", "restrictedOnTeam", "complianceReview"], // manages restrictedOffTeam too, but its client is hidden
  staffOtherDept: ["legalReview", "otherDept"],
  staffTeam: ["plain", "restrictedOnTeam"],
  staffUnrelated: [],
  legal: ["restrictedOnTeam", "legalReview", "complianceReview"],
  managerVC: ["plain", "restrictedOnTeam", "restrictedOffTeam", "complianceReview"],
  staffVC: [], // sees every client, but is on no case
};
const NAMES = Object.keys(SEES) as Name[];
const CASE_KEYS: CaseKey[] = ["plain", "restrictedOnTeam", "restrictedOffTeam", "legalReview", "complianceReview", "otherDept", "deleted", "deletedRestricted"];

async function sqlVisibleIds(user: CurrentUser, caseAlias = "k", clientAlias = "c"): Promise<string[]> {
  const k = Prisma.raw(`"${caseAlias}"`);
  const c = Prisma.raw(`"${clientAlias}"`);
  const rows = await t.db.$queryRaw<{ id: string }[]>`SELECT ${k}.id::text AS id FROM cases ${k} JOIN clients ${c} ON ${c}.id = ${k}.client_id WHERE ${visibleCasesSql(user, caseAlias)}`;
  return rows.map((r) => r.id).sort();
}
/** The cases the row check before a write lets through, one by one. */
async function checkedVisibleIds(user: CurrentUser): Promise<string[]> {
  const all = await t.db.case.findMany({ select: { id: true } });
  const seen: string[] = [];
  for (const { id } of all) if (await caseIsVisible(t.db, user, id)) seen.push(id);
  return seen.sort();
}
const keysOf = (ids: string[]) => CASE_KEYS.filter((key) => ids.includes(cases[key]));

beforeAll(async () => {
  t = await createTestApp();
  const db = t.db;
  users.admin = await makeUser(db, { role: "admin" });
  users.adminVC = await makeUser(db, { role: "admin", viewConfidential: true });
  users.managerSameDept = await makeUser(db, { role: "manager", department: "Tax" });
  users.managerOtherDept = await makeUser(db, { role: "manager", department: "Audit" });
  users.staffManager = await makeUser(db, { role: "staff", department: "Tax" });
  users.staffOtherDept = await makeUser(db, { role: "staff", department: "Audit" });
  users.staffTeam = await makeUser(db, { role: "staff", department: "Audit" });
  users.staffUnrelated = await makeUser(db, { role: "staff", department: "Tax" });
  users.legal = await makeUser(db, { role: "staff", legalTeam: true });
  users.managerVC = await makeUser(db, { role: "manager", department: "Tax", viewConfidential: true });
  users.staffVC = await makeUser(db, { role: "staff", viewConfidential: true });

  const creator = users.adminVC;
  const open = await makeClient(db, creator.id);
  // The restricted client's team: its account manager, its primary contact person and two team members.
  const restrictedWithTeam = await makeClient(db, creator.id, {
    isConfidential: true,
    accountManagerId: users.staffManager.id,
    primaryPocId: users.managerSameDept.id,
    teamUserIds: [users.staffTeam.id, users.legal.id],
  });
  const restrictedAlone = await makeClient(db, creator.id, { isConfidential: true });
  const { type } = await makeCaseType(db);

  const make = async (clientId: string, managerId: string, data: Prisma.CaseUncheckedUpdateInput = {}, team: string[] = []) => {
    const kase = await openCase(db, creator, { clientId, typeId: type.id, managerId }, ROOMY);
    await db.case.update({ where: { id: kase.id }, data });
    for (const userId of team) await db.caseTeamMember.create({ data: { caseId: kase.id, userId, role: "associate" } });
    return kase.id;
  };
  cases.plain = await make(open.id, users.staffManager.id, {}, [users.staffTeam.id]);
  cases.restrictedOnTeam = await make(restrictedWithTeam.id, users.staffManager.id, { legalReviewRequired: true }, [users.staffTeam.id]);
  cases.restrictedOffTeam = await make(restrictedAlone.id, users.staffManager.id, { legalReviewRequired: true }, [users.staffTeam.id]);
  cases.legalReview = await make(open.id, users.staffOtherDept.id, { legalReviewRequired: true });
  cases.complianceReview = await make(open.id, users.staffManager.id, { complianceReviewRequired: true });
  cases.otherDept = await make(open.id, users.staffOtherDept.id);
  cases.deleted = await make(open.id, users.staffManager.id, { legalReviewRequired: true }, [users.staffTeam.id]);
  cases.deletedRestricted = await make(restrictedAlone.id, users.staffManager.id);
  await deleteCase(db, actor(creator), cases.deleted, "Opened by mistake");
  await deleteCase(db, actor(creator), cases.deletedRestricted, "Opened by mistake");
});
afterAll(async () => {
  await t.close();
});

describe("who sees which case", () => {
  for (const name of NAMES) {
    it(`opens exactly the cases ${name} may see, and answers not found for the rest`, async () => {
      const user = users[name];
      const seen: CaseKey[] = [];
      for (const key of CASE_KEYS) {
        try {
          const found = await getCase(t.db, actor(user), cases[key], { audit: false });
          expect(found.case.id).toBe(cases[key]);
          seen.push(key);
        } catch (error) {
          expect(error).toBeInstanceOf(NotFoundError);
        }
      }
      expect(seen).toEqual(SEES[name]);
    });

    it(`gives ${name} the same cases through the list's SQL and the row check before a write`, async () => {
      const user = users[name];
      const checked = await checkedVisibleIds(user);
      expect(keysOf(checked)).toEqual(SEES[name]);
      expect(await sqlVisibleIds(user)).toEqual(checked);
      expect(await sqlVisibleIds(user, "x", "y")).toEqual(checked);
    });

    it(`gives ${name} the same cases from the own-cases source when managing and teams are their only reasons`, async () => {
      const user = users[name];
      const source = ownVisibleCasesSql(user);
      expect(source === null).toBe(!seesOnlyOwnCases(user));
      expect(seesOnlyOwnCases(user)).toBe(!user.legalTeam && (user.role === "staff" || (user.role === "manager" && !user.department)));
      if (!source) return;
      const rows = await t.db.$queryRaw<{ id: string }[]>`SELECT o.id::text AS id FROM ${source} o`;
      expect(rows.map((r) => r.id).sort()).toEqual(await checkedVisibleIds(user));
    });

    it(`gives ${name} the same clients from the unrestricted ones and the restricted set as through the clients table`, async () => {
      const user = users[name];
      const joined = await t.db.$queryRaw<{ id: string }[]>`SELECT c.id::text AS id FROM clients c WHERE ${visibleClientsSql(user, "c")} ORDER BY 1`;
      const restricted = visibleRestrictedClientIdsSql(user);
      expect(restricted === null).toBe(user.viewConfidential);
      const bySet = await t.db.$queryRaw<{ id: string }[]>`SELECT x.id::text AS id FROM clients x
        WHERE ${restricted ? Prisma.sql`(NOT x.is_confidential OR x.id IN (${restricted}))` : Prisma.sql`TRUE`} ORDER BY 1`;
      expect(bySet).toEqual(joined);
    });
  }

  it("answers not found for a missing case and for a malformed id, as for a hidden one", async () => {
    for (const id of ["00000000-0000-4000-8000-000000000000", "not-a-uuid", ""]) {
      expect(await refusal(getCase(t.db, actor(users.adminVC), id))).toBeInstanceOf(NotFoundError);
    }
  });

  it("records a read of a restricted client's case, unless told not to", async () => {
    const count = () => t.db.auditEvent.count({ where: { action: "case.read_restricted", entityId: cases.restrictedOnTeam, actorId: users.staffTeam.id } });
    await getCase(t.db, actor(users.staffTeam), cases.restrictedOnTeam, { audit: false });
    expect(await count()).toBe(0);
    await getCase(t.db, actor(users.staffTeam), cases.restrictedOnTeam);
    expect(await count()).toBe(1);
    await getCase(t.db, actor(users.staffTeam), cases.plain);
    expect(await t.db.auditEvent.count({ where: { action: "case.read_restricted", entityId: cases.plain } })).toBe(0);
  });

  it("lists deleted cases for administrators only, keeping hidden clients hidden", async () => {
    const ids = async (name: Name) => keysOf((await deletedCases(t.db, actor(users[name]))).map((c) => c.id));
    expect(await ids("adminVC")).toEqual(["deleted", "deletedRestricted"]);
    expect(await ids("admin")).toEqual(["deleted"]);
    for (const name of ["managerSameDept", "managerVC", "staffManager", "legal"] as const) expect(await ids(name)).toEqual([]);
    const [row] = await t.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM cases k WHERE ${deletedCasesSql(users.managerVC, "k")}`;
    expect(Number(row!.n)).toBe(0);
  });

  it("answers not found for a hidden case before asking whether the user may change it, and forbidden for a visible one", async () => {
    const rows = await t.db.case.findMany({ where: { id: { in: Object.values(cases) } }, include: { team: true } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    let forbidden = 0;
    for (const name of NAMES) {
      const user = users[name];
      const higher = user.role === "admin" || user.role === "manager";
      for (const key of CASE_KEYS) {
        const row = byId.get(cases[key])!;
        const onCase = row.managerId === user.id || row.team.some((m) => m.userId === user.id);
        const attempts: [string, boolean, () => Promise<unknown>][] = [
          ["edit", higher || onCase, () => updateCase(t.db, actor(user), row.id, editInput(row, { title: "Changed" }), ROOMY)],
          ["move", higher || onCase, () => move(t.db, user, row.id, "assigned", "new")],
          ["team", higher || row.managerId === user.id, () => addTeamMember(t.db, actor(user), row.id, { userId: users.staffUnrelated.id, role: "observer" })],
          ["delete", higher, () => deleteCase(t.db, actor(user), row.id, "Test")],
        ];
        for (const [what, allowed, attempt] of attempts) {
          const visible = SEES[name].includes(key);
          if (visible && allowed) continue;
          const error = await refusal(attempt());
          expect(error, `${name} ${what} ${key}`).toBeInstanceOf(visible ? ForbiddenError : NotFoundError);
          if (visible) forbidden += 1;
        }
      }
    }
    expect(forbidden).toBeGreaterThan(5);
    const after = await t.db.case.findMany({ where: { id: { in: Object.values(cases) } } });
    expect(after.every((r) => r.status === "new" && !r.title.startsWith("Changed"))).toBe(true);
    expect(await t.db.caseTeamMember.count({ where: { userId: users.staffUnrelated.id } })).toBe(0);
  });

  it("tells each user what they may do with a case they see", async () => {
    const perms = async (name: Name, key: CaseKey) => (await getCase(t.db, actor(users[name]), cases[key], { audit: false })).permissions;
    expect(await perms("staffManager", "plain")).toEqual({ edit: true, changeStatus: true, manageTeam: true, delete: false });
    expect(await perms("staffTeam", "plain")).toEqual({ edit: true, changeStatus: true, manageTeam: false, delete: false });
    expect(await perms("legal", "legalReview")).toEqual({ edit: false, changeStatus: false, manageTeam: false, delete: false });
    expect(await perms("managerSameDept", "plain")).toEqual({ edit: true, changeStatus: true, manageTeam: true, delete: true });
    expect(await perms("admin", "otherDept")).toEqual({ edit: true, changeStatus: true, manageTeam: true, delete: true });
  });
});

describe("the Prisma and SQL filters agree on generated data", () => {
  it("returns the same case ids for 24 users over 60 cases with random teams, flags and clients", async () => {
    // A fixed-seed generator, so a failure can be reproduced.
    let seed = 20_241_124;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const db = t.db;
    const departments = ["Tax", "Audit", "Litigation", null] as const;
    const people: User[] = [];
    for (let i = 0; i < 24; i += 1) {
      people.push(
        await makeUser(db, { role: pick(["admin", "manager", "staff", "staff"] as const), department: pick(departments), legalTeam: random() < 0.25, viewConfidential: random() < 0.2 }),
      );
    }
    const creator = users.adminVC;
    const clients = [];
    for (let i = 0; i < 8; i += 1) {
      const restricted = random() < 0.5;
      clients.push(
        await makeClient(db, creator.id, {
          isConfidential: restricted,
          accountManagerId: random() < 0.4 ? pick(people).id : null,
          secondaryPocId: random() < 0.3 ? pick(people).id : null,
          teamUserIds: [...new Set(Array.from({ length: Math.floor(random() * 3) }, () => pick(people).id))],
        }),
      );
    }
    const { type } = await makeCaseType(db);
    for (let i = 0; i < 60; i += 1) {
      const manager = pick(people);
      const kase = await openCase(db, creator, { clientId: pick(clients).id, typeId: type.id, managerId: manager.id }, ROOMY);
      await db.case.update({ where: { id: kase.id }, data: { legalReviewRequired: random() < 0.2, complianceReviewRequired: random() < 0.15 } });
      const team = new Set(Array.from({ length: Math.floor(random() * 3) }, () => pick(people).id));
      team.delete(manager.id);
      for (const userId of team) await db.caseTeamMember.create({ data: { caseId: kase.id, userId, role: "associate" } });
      if (random() < 0.1) await db.case.update({ where: { id: kase.id }, data: { deletedAt: new Date(), deletedById: creator.id } });
    }
    const sizes = new Set<number>();
    for (const person of [...people, ...Object.values(users)]) {
      const viaWhere = await checkedVisibleIds(person);
      expect(await sqlVisibleIds(person), person.email).toEqual(viaWhere);
      sizes.add(viaWhere.length);
    }
    // The data is varied enough that users see different numbers of cases.
    expect(sizes.size).toBeGreaterThan(4);
  });
});

describe("what a user may do to a case they see", () => {
  const as = (role: CurrentUser["role"], flags: Partial<CurrentUser> = {}): CurrentUser => ({
    id: flags.id ?? `u-${role}-${Math.random()}`,
    email: "x@example.test",
    name: "X",
    role,
    relationshipTeam: false,
    legalTeam: false,
    viewConfidential: false,
    department: null,
    mustChangePassword: false,
    ...flags,
  });
  const caseManager = as("staff", { id: "case-manager" });
  const teamMember = as("staff", { id: "team-member" });
  const outsider = as("staff", { id: "outsider" });
  const legalStaff = as("staff", { id: "legal", legalTeam: true });
  const manager = as("manager");
  const admin = as("admin");
  const facts: CaseFacts = { managerId: "case-manager", teamUserIds: ["team-member"] };

  it("lets the case manager, the team, managers and admins edit and move a case, not the legal team or others", () => {
    for (const action of ["case.edit", "case.changeStatus"] as const) {
      expect([caseManager, teamMember, manager, admin].map((u) => can(u, action, facts))).toEqual([true, true, true, true]);
      expect([outsider, legalStaff].map((u) => can(u, action, facts))).toEqual([false, false]);
    }
  });

  it("lets the case manager, managers and admins change the team, not team members", () => {
    expect([caseManager, manager, admin].map((u) => can(u, "case.manageTeam", facts))).toEqual([true, true, true]);
    expect([teamMember, outsider, legalStaff].map((u) => can(u, "case.manageTeam", facts))).toEqual([false, false, false]);
  });

  it("lets managers and admins delete, and only admins restore", () => {
    expect([manager, admin, caseManager, legalStaff].map((u) => can(u, "case.delete"))).toEqual([true, true, false, false]);
    expect([admin, manager, caseManager].map((u) => can(u, "case.restore"))).toEqual([true, false, false]);
    expect([admin, manager, caseManager, outsider].map((u) => can(u, "case.create"))).toEqual([true, true, true, true]);
  });

  it("lets a stage's assignee work on it even when not on the case", () => {
    const stage = { stageType: "work", assigneeId: "outsider" };
    expect(can(outsider, "stage.work", { kase: facts, stage: stage })).toBe(true);
    expect(can(legalStaff, "stage.work", { kase: facts, stage: stage })).toBe(false);
    expect(can(teamMember, "stage.work", { kase: facts, stage: { stageType: "work", assigneeId: null } })).toBe(true);
  });

  it("lets managers, admins and the legal team approve ordinary stages, and only the legal team legal and compliance reviews", () => {
    for (const stageType of ["approval", "review", "work"]) {
      const stage = { stageType, assigneeId: null };
      expect([manager, admin, legalStaff, caseManager, teamMember].map((u) => can(u, "stage.approve", stage))).toEqual([true, true, true, false, false]);
    }
    for (const stageType of ["legal_review", "compliance_review"]) {
      const stage = { stageType, assigneeId: null };
      expect([legalStaff, as("manager", { legalTeam: true }), manager, admin, caseManager].map((u) => can(u, "stage.approve", stage))).toEqual([true, true, false, false, false]);
    }
  });
});
