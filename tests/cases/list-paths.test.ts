// The case list and board take a reader's page one of two ways (src/cases/queries.ts): from the reader's own cases
// (ownVisibleCasesSql) when managing and team membership are their only reasons to see a case, else by testing the
// visibility rule on every case. Both must give the same page. The same manager is read both ways here: without a
// department (own cases) and with a department nobody else belongs to, which adds no case but takes the other way.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { makeCaseType, makeClient } from "./support.ts";
import { bulkCases } from "./list-support.ts";
import type { CurrentUser } from "../../src/access/roles.ts";
import { ownVisibleCasesSql, seesOnlyOwnCases, visibleCasesSql } from "../../src/access/cases.ts";
import { caseBoardView, caseListView, searchTuning } from "../../src/cases/queries.ts";
import { caseFilters } from "../../src/cases/schemas.ts";
import { CASE_STATUSES } from "../../src/cases/schemas.ts";

let t: TestApp;
let own: CurrentUser;
let scanned: CurrentUser;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  const db = t.db;
  const admin = await makeUser(db, { role: "admin", viewConfidential: true });
  const reader = await makeUser(db, { role: "manager", name: "Rita Reader" });
  const colleague = await makeUser(db, { role: "staff", name: "Cole Colleague" });
  const asUser = (department: string | null): CurrentUser => ({
    id: reader.id, email: reader.email, name: reader.name, role: "manager", relationshipTeam: false, legalTeam: false,
    viewConfidential: false, department, mustChangePassword: false,
  });
  own = asUser(null);
  scanned = asUser("A department of one");
  const open = await makeClient(db, admin.id, { name: "Harbor Holdings" });
  const other = await makeClient(db, admin.id, { name: "Zenith Zinc" });
  const restrictedOnTeam = await makeClient(db, admin.id, { name: "Quiet Harbor Trust", isConfidential: true, teamUserIds: [reader.id] });
  const restrictedOff = await makeClient(db, admin.id, { name: "Secret Harbor Ltd", isConfidential: true });
  const { type: typeA } = await makeCaseType(db, { name: "Advice" });
  const { type: typeB } = await makeCaseType(db, { name: "Disputes" });
  ids.typeA = typeA.id;
  ids.open = open.id;
  ids.colleague = colleague.id;

  const statuses = CASE_STATUSES;
  const priorities = ["low", "medium", "high", "critical"] as const;
  const day = (offset: number) => new Date(Date.UTC(2026, 10, 24 + offset));
  const made = [];
  // 36 cases: the reader manages some, is on the team of some, sees none of the rest; varied in every sorted column.
  for (let i = 0; i < 36; i += 1) {
    const [kase] = await bulkCases(db, 1, {
      clientId: [open.id, other.id, restrictedOnTeam.id, restrictedOff.id][i % 4]!,
      typeId: i % 3 === 0 ? typeB.id : typeA.id,
      managerId: i % 3 === 2 ? colleague.id : reader.id,
      createdById: admin.id,
      title: `${["Harbor", "beacon", "Anchor", "dock"][i % 4]} matter ${String((i * 7) % 36).padStart(2, "0")}`,
      status: statuses[i % statuses.length],
      priority: priorities[(i * 5) % 4],
      nextReviewDate: i % 5 === 0 ? null : day(((i * 11) % 30) - 15),
      updatedAt: new Date(Date.UTC(2026, 0, 1) + ((i * 13) % 36) * 3_600_000),
      createdAt: new Date(Date.UTC(2025, 0, 1) + ((i * 17) % 36) * 86_400_000),
    });
    made.push(kase!);
  }
  // On the team of a third of the colleague's cases; one of the reader's own cases deleted.
  for (const kase of made.filter((_, i) => i % 3 === 2 && i % 2 === 0)) {
    await db.caseTeamMember.create({ data: { caseId: kase.id, userId: reader.id, role: "associate" } });
  }
  // The reader also sits on the team of a case they manage: it is still counted once.
  await db.caseTeamMember.create({ data: { caseId: made[4]!.id, userId: reader.id, role: "lead" } });
  await db.case.update({ where: { id: made[0]!.id }, data: { deletedAt: new Date(), deletedById: admin.id } });
});
afterAll(async () => {
  await t.close();
});

const visibleIds = async (user: CurrentUser) =>
  (await t.db.$queryRaw<{ id: string }[]>`SELECT k.id::text AS id FROM cases k WHERE ${visibleCasesSql(user, "k")} ORDER BY k.id`).map((r) => r.id);

describe("the two ways of reading a page", () => {
  it("reads the reader both ways, and both see the same cases", async () => {
    expect(seesOnlyOwnCases(own)).toBe(true);
    expect(seesOnlyOwnCases(scanned)).toBe(false);
    const ownRows = await t.db.$queryRaw<{ id: string }[]>`SELECT o.id::text AS id FROM ${ownVisibleCasesSql(own)!} o ORDER BY o.id`;
    const expected = await visibleIds(own);
    expect(expected.length).toBeGreaterThan(10);
    expect(ownRows.map((r) => r.id)).toEqual(expected);
    expect(await visibleIds(scanned)).toEqual(expected);
  });

  const sorts = ["number", "title", "client", "status", "priority", "review", "updated", "created"];
  const filterSets = [
    {},
    { status: "in_progress" },
    { priority: "high" },
    { q: "harbor" },
    { overdue: "1" },
    { type: "typeA" },
    { client: "open" },
    { manager: "colleague" },
    { q: "matter", priority: "critical", status: "closed" },
  ] as Record<string, string>[];

  for (const sort of sorts) {
    for (const dir of ["asc", "desc"]) {
      it(`gives the same pages and counts sorted by ${sort} ${dir}, with each filter`, async () => {
        for (const set of filterSets) {
          for (const page of ["1", "2", "3"]) {
            const raw = Object.fromEntries(Object.entries(set).map(([k, v]) => [k, ids[v] ?? v]));
            const filters = caseFilters.parse({ ...raw, sort, dir, page, perPage: "5" });
            const a = await caseListView(t.db, own, filters);
            const b = await caseListView(t.db, scanned, filters);
            const what = JSON.stringify({ ...set, sort, dir, page });
            expect(a.rows.map((r) => r.id), what).toEqual(b.rows.map((r) => r.id));
            expect(a.rows, what).toEqual(b.rows);
            expect(a.hasMore, what).toBe(b.hasMore);
            expect(a.counts.byStatus, what).toEqual(b.counts.byStatus);
            expect(a.counts.total, what).toBe(b.counts.total);
          }
        }
      });
    }
  }

  it("reads a search the same whether it finds few cases (read from what it found) or many (walked in order), for both kinds of reader", async () => {
    const searches = filterSets.filter((set) => set.q);
    expect(searches.length).toBeGreaterThan(0);
    const read = async (reader: CurrentUser) => {
      const seen: unknown[] = [];
      for (const set of searches) {
        for (const sort of sorts) {
          for (const dir of ["asc", "desc"]) {
            for (const page of ["1", "2"]) {
              const raw = Object.fromEntries(Object.entries(set).map(([k, v]) => [k, ids[v] ?? v]));
              const view = await caseListView(t.db, reader, caseFilters.parse({ ...raw, sort, dir, page, perPage: "5" }));
              seen.push({ ids: view.rows.map((r) => r.id), counts: view.counts.byStatus, hasMore: view.hasMore });
            }
          }
        }
        seen.push((await caseBoardView(t.db, reader, caseFilters.parse({ q: set.q }))).columns);
      }
      return seen;
    };
    for (const reader of [scanned, own]) {
      const few = await read(reader);
      const before = { ...searchTuning };
      searchTuning.hitsReadDirectly = 0; // every search now "finds many"
      searchTuning.ownFoundReadDirectly = 0;
      try {
        expect(await read(reader)).toEqual(few);
      } finally {
        Object.assign(searchTuning, before);
      }
      // The search found something to compare.
      expect(JSON.stringify(few)).toMatch(/[0-9a-f]{8}-[0-9a-f]{4}/);
    }
  });

  it("gives the same board, with and without filters", async () => {
    for (const raw of [{}, { q: "harbor" }, { priority: "low" }, { overdue: "1" }]) {
      const filters = caseFilters.parse(raw);
      const a = await caseBoardView(t.db, own, filters);
      const b = await caseBoardView(t.db, scanned, filters);
      expect(a.columns, JSON.stringify(raw)).toEqual(b.columns);
      expect(a.columns.some((c) => c.cards.length > 0)).toBe(true);
    }
  });

  it("counts a hidden client's cases for nobody who may not see it, the reader's own included", async () => {
    const hidden = await t.db.case.count({ where: { client: { name: "Secret Harbor Ltd" }, managerId: own.id, deletedAt: null } });
    expect(hidden).toBeGreaterThan(0);
    const view = await caseListView(t.db, own, caseFilters.parse({ q: "secret" }));
    expect(view.rows).toEqual([]);
    expect(view.counts.total).toBe(0);
    const sql = await t.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM ${ownVisibleCasesSql(own)!} o JOIN clients c ON c.id = o.client_id WHERE c.name = ${"Secret Harbor Ltd"}`;
    expect(Number(sql[0]!.n)).toBe(0);
  });
});
