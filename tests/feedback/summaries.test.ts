// The firm-wide report reads trigger-kept summaries (feedback_group_sums, feedback_client_latest, and per user
// feedback_team_sums) instead of every feedback row (docs/performance-feedback.md). Checked here: after inserts (one
// and several per statement), edits, finalizing, deletes, clients changing category, account manager, restriction and
// status, team members and points of contact coming and going, and concurrent writers,
// (1) the summaries equal a rebuild from the rows, and (2) for each kind of reader (staff on a restricted client's
// team, a manager, an admin without and a staff member and an admin with "view confidential") the report's averages,
// drops and clients without recent feedback equal a direct computation over the raw rows of the clients a plain
// statement of the client rule lets them see.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "csv-parse/sync";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { postForm, signedIn, type Agent } from "../helpers/http.ts";
import { makeClient } from "../clients/support.ts";
import type { CurrentUser } from "../../src/access/roles.ts";
import { addQuarters, periodCode, quarterStart } from "../../src/feedback/periods.ts";
import { clientsWithoutRecentFeedback, firmAverages, lastTwoQuarters, satisfactionDrops } from "../../src/feedback/queries.ts";
import { feedbackFields, makeFeedback } from "./support.ts";

type Who = "teamStaff" | "manager" | "admin" | "adminViewConfidential" | "staffViewConfidential";
const READERS: Who[] = ["teamStaff", "manager", "admin", "adminViewConfidential", "staffViewConfidential"];

let t: TestApp;
const users = {} as Record<Who, CurrentUser>;
const agents = {} as Record<Who, Agent>;
let amOne: { id: string };
let amTwo: { id: string };
let catA: { id: string };
let catB: { id: string };
const clients = {} as Record<"open1" | "open2" | "open3" | "secretTeam" | "secretOther" | "quiet" | "fresh", { id: string }>;
const old = new Date("2020-01-01T00:00:00Z");
const lastQuarter = periodCode({ kind: "quarter", start: addQuarters(quarterStart(new Date()), -1) });

function csvRows(text: string): string[][] {
  return parse(text.replace(/^\uFEFF/, ""), { relax_column_count: true }) as string[][];
}

/** The oracle: DOMAIN.md's client rule in plain TypeScript, over the clients as stored now. */
async function visibleClientIds(user: CurrentUser): Promise<string[]> {
  const rows = (
    await t.database.pool.query<{ id: string; is_confidential: boolean; team: string[] }>(
      `SELECT c.id, c.is_confidential,
         array_remove(ARRAY[c.account_manager_id, c.primary_poc_id, c.secondary_poc_id], NULL) || coalesce((SELECT array_agg(m.user_id) FROM client_team_members m WHERE m.client_id = c.id), '{}') AS team
       FROM clients c`,
    )
  ).rows;
  return rows.filter((c) => !c.is_confidential || user.viewConfidential || c.team.includes(user.id)).map((c) => c.id);
}

interface Averages {
  key: string | null;
  count: number;
  finalized: number;
  responsiveness: number | null;
  communication: number | null;
  requirementsClarity: number | null;
  decisionSpeed: number | null;
  overallSatisfaction: number | null;
}

/** Averages grouped by `group` over the raw rows of `visible` clients, periods starting on or after `from`. */
async function directAverages(visible: string[], group: string, from: string): Promise<Averages[]> {
  const { rows } = await t.database.pool.query<Averages>(
    `SELECT ${group} AS key, count(*)::int AS count, count(f.finalized_at)::int AS finalized, avg(f.responsiveness)::float8 AS responsiveness,
       avg(f.communication)::float8 AS communication, avg(f.requirements_clarity)::float8 AS "requirementsClarity",
       avg(f.decision_speed)::float8 AS "decisionSpeed", avg(f.overall_satisfaction)::float8 AS "overallSatisfaction"
     FROM client_feedback f JOIN clients c ON c.id = f.client_id
     WHERE f.client_id = ANY($1::uuid[]) AND f.period_start >= $2::date GROUP BY 1`,
    [visible, from],
  );
  return rows.sort((a, b) => String(a.key).localeCompare(String(b.key)));
}

interface RawFeedback {
  client_id: string;
  period_kind: "month" | "quarter";
  period_start: string;
  overall_satisfaction: number;
}

/** Drops computed in TypeScript from the raw rows: each visible client's latest feedback in range against the one before. */
async function directDrops(visible: string[], from: string): Promise<{ clientId: string; previous: number; latest: number; latestStart: string }[]> {
  const { rows } = await t.database.pool.query<RawFeedback>(
    `SELECT client_id, period_kind::text AS period_kind, to_char(period_start, 'YYYY-MM-DD') AS period_start, overall_satisfaction FROM client_feedback`,
  );
  const byClient = new Map<string, RawFeedback[]>();
  for (const r of rows) if (visible.includes(r.client_id) && r.period_start >= from) byClient.set(r.client_id, [...(byClient.get(r.client_id) ?? []), r]);
  const drops = [];
  for (const [clientId, list] of byClient) {
    // Newest first: later start, then a quarter before a month starting the same day.
    list.sort((a, b) => b.period_start.localeCompare(a.period_start) || (a.period_kind === b.period_kind ? 0 : a.period_kind === "quarter" ? -1 : 1));
    const [latest, previous] = list;
    if (latest && previous && previous.overall_satisfaction - latest.overall_satisfaction >= 1)
      drops.push({ clientId, previous: previous.overall_satisfaction, latest: latest.overall_satisfaction, latestStart: latest.period_start });
  }
  return drops.sort((a, b) => a.clientId.localeCompare(b.clientId));
}

/** Active visible clients created before the cut-off with no feedback starting in the last two complete quarters. */
async function directWithout(visible: string[]): Promise<string[]> {
  const { from, until } = lastTwoQuarters();
  const { rows } = await t.database.pool.query<{ id: string }>(
    `SELECT c.id FROM clients c WHERE c.id = ANY($1::uuid[]) AND c.status = 'active' AND c.created_at < $2::timestamp
       AND NOT EXISTS (SELECT 1 FROM client_feedback f WHERE f.client_id = c.id AND f.period_start >= $3::date)`,
    [visible, addQuarters(until, -1).toISOString(), from.toISOString().slice(0, 10)],
  );
  return rows.map((r) => r.id).sort();
}

/** The sums a kept table holds per key, and the same computed from the feedback rows. */
const SUMMED = `count(*)::int AS feedback_count, count(f.finalized_at)::int AS finalized_count, sum(f.responsiveness)::int AS responsiveness_sum,
  sum(f.communication)::int AS communication_sum, sum(f.requirements_clarity)::int AS requirements_clarity_sum,
  sum(f.decision_speed)::int AS decision_speed_sum, sum(f.overall_satisfaction)::int AS overall_satisfaction_sum`;

/** A kept sums table (its rows not at zero, `keys` first) equals `rebuilt` from the rows, and none went below zero. */
async function expectSumsMatch(table: string, keys: string, rebuilt: string) {
  const kept = await t.database.pool.query(
    `SELECT ${keys}, feedback_count, finalized_count, responsiveness_sum, communication_sum, requirements_clarity_sum, decision_speed_sum,
       overall_satisfaction_sum FROM ${table} WHERE feedback_count <> 0 ORDER BY 1, 2, 3, 4`,
  );
  expect(kept.rows, table).toEqual((await t.database.pool.query(rebuilt)).rows);
  const below = await t.database.pool.query(`SELECT count(*)::int AS n FROM ${table} WHERE feedback_count < 0 OR (feedback_count = 0 AND overall_satisfaction_sum <> 0)`);
  expect(below.rows[0].n, table).toBe(0);
}

/** The summaries equal what a rebuild from the rows gives (zero rows left by subtractions aside). */
async function expectSummariesMatchRows() {
  await expectSumsMatch("feedback_group_sums", "to_char(period_start, 'YYYY-MM-DD') AS p, restricted, dimension, group_id",
    `SELECT to_char(f.period_start, 'YYYY-MM-DD') AS p, c.is_confidential AS restricted, k.dimension, k.group_id, ${SUMMED}
     FROM client_feedback f JOIN clients c ON c.id = f.client_id
       CROSS JOIN LATERAL (VALUES ('category', c.category_id), ('account_manager', c.account_manager_id)) k (dimension, group_id)
     GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`);
  // Per user: the sums of the restricted clients they are on the team of (each client once, whatever the reasons),
  // against the oracle's team (the same statement of the team as visibleClientIds below).
  await expectSumsMatch("feedback_team_sums", "user_id, to_char(period_start, 'YYYY-MM-DD') AS p, dimension, group_id",
    `WITH team AS (
       SELECT DISTINCT c.id, c.category_id, c.account_manager_id, u.user_id
       FROM clients c CROSS JOIN LATERAL unnest(array_remove(ARRAY[c.account_manager_id, c.primary_poc_id, c.secondary_poc_id], NULL)
         || coalesce((SELECT array_agg(m.user_id) FROM client_team_members m WHERE m.client_id = c.id), '{}')) u (user_id)
       WHERE c.is_confidential)
     SELECT tm.user_id, to_char(f.period_start, 'YYYY-MM-DD') AS p, k.dimension, k.group_id, ${SUMMED}
     FROM client_feedback f JOIN team tm ON tm.id = f.client_id
       CROSS JOIN LATERAL (VALUES ('category', tm.category_id), ('account_manager', tm.account_manager_id)) k (dimension, group_id)
     GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`);
  const latest = await t.database.pool.query(
    `SELECT s.client_id, s.client_name = c.name AND s.is_confidential = c.is_confidential AND s.active = (c.status = 'active') AND s.client_created_at = c.created_at AS facts,
       s.latest_kind::text AS lk, to_char(s.latest_start, 'YYYY-MM-DD') AS ls, s.latest_overall AS lo, s.previous_kind::text AS pk,
       to_char(s.previous_start, 'YYYY-MM-DD') AS ps, s.previous_overall AS po
     FROM clients c LEFT JOIN feedback_client_latest s ON s.client_id = c.id ORDER BY c.id`,
  );
  const raw = await t.database.pool.query<RawFeedback>(
    `SELECT client_id, period_kind::text AS period_kind, to_char(period_start, 'YYYY-MM-DD') AS period_start, overall_satisfaction FROM client_feedback
     ORDER BY client_id, period_start DESC, period_kind DESC`,
  );
  for (const row of latest.rows) {
    const mine = raw.rows.filter((r) => r.client_id === row.client_id);
    expect(row.facts, `client facts copied for ${row.client_id}`).toBe(true);
    expect([row.lk, row.ls, row.lo, row.pk, row.ps, row.po]).toEqual([
      mine[0]?.period_kind ?? null,
      mine[0]?.period_start ?? null,
      mine[0]?.overall_satisfaction ?? null,
      mine[1]?.period_kind ?? null,
      mine[1]?.period_start ?? null,
      mine[1]?.overall_satisfaction ?? null,
    ]);
  }
}

/** A month's feedback rated `n` throughout, written by one plain INSERT (as a concurrent writer would). */
function insertMonthly(clientId: string, period: string, n: number) {
  return t.database.pool.query(
    `INSERT INTO client_feedback (id, client_id, period_kind, period_start, responsiveness, communication, requirements_clarity, decision_speed, overall_satisfaction, recorded_by_id, updated_at)
     VALUES (gen_random_uuid(), $1, 'month', $2::date, $3, $3, $3, $3, $3, $4, now())`,
    [clientId, `${period}-01`, n, users.admin.id],
  );
}

/** Every reader's report against the direct computations, in process (full precision) and over HTTP (the CSV files). */
async function expectReportsMatchRows(label: string) {
  await expectSummariesMatchRows();
  for (const who of READERS) {
    const user = users[who];
    const visible = await visibleClientIds(user);
    for (const from of ["2020-01-01", "2025-04-01"]) {
      const range = { from: new Date(`${from}T00:00:00Z`), to: null };
      const shown = await firmAverages(t.db, user, range);
      const strip = (rows: Averages[]) => rows.map(({ key, count, finalized, responsiveness, communication, requirementsClarity, decisionSpeed, overallSatisfaction }) => ({ key, count, finalized, responsiveness, communication, requirementsClarity, decisionSpeed, overallSatisfaction }));
      const sortByKey = (rows: Averages[]) => [...rows].sort((a, b) => String(a.key).localeCompare(String(b.key)));
      expect(sortByKey(strip(shown.byCategory)), `${label}: ${who} by category from ${from}`).toEqual(strip(await directAverages(visible, "c.category_id", from)));
      expect(sortByKey(strip(shown.byAccountManager)), `${label}: ${who} by account manager from ${from}`).toEqual(strip(await directAverages(visible, "c.account_manager_id", from)));
      expect(
        shown.byQuarter.map((q) => ({ ...strip([{ ...q, key: q.quarterStart.toISOString().slice(0, 10) }])[0] })),
        `${label}: ${who} by quarter from ${from}`,
      ).toEqual(strip(await directAverages(visible, "to_char(date_trunc('quarter', f.period_start), 'YYYY-MM-DD')", from)));
      const drops = await satisfactionDrops(t.db, user, range, null);
      expect(
        drops.map((d) => ({ clientId: d.clientId, previous: d.previous, latest: d.latest, latestStart: d.latestStart.toISOString().slice(0, 10) })).sort((a, b) => a.clientId.localeCompare(b.clientId)),
        `${label}: ${who} drops from ${from}`,
      ).toEqual(await directDrops(visible, from));
      const firstPage = await satisfactionDrops(t.db, user, range, 2);
      expect(firstPage.map((d) => d.clientId)).toEqual(drops.slice(0, 2).map((d) => d.clientId));
      expect(firstPage.every((d) => d.total === drops.length)).toBe(true);
    }
    expect((await clientsWithoutRecentFeedback(t.db, user, null)).map((c) => c.clientId).sort(), `${label}: ${who} without recent feedback`).toEqual(await directWithout(visible));
    // Over HTTP: the by-category CSV holds the same counts and averages (two decimals).
    const csv = csvRows((await agents[who].get("/feedback/export/by-account-manager.csv?from=2020-01-01")).text).slice(1);
    const direct = await directAverages(visible, "c.account_manager_id", "2020-01-01");
    expect(csv.map((r) => r[1]).sort(), `${label}: ${who} CSV counts`).toEqual(direct.map((d) => String(d.count)).sort());
    expect(csv.map((r) => r[3]).sort()).toEqual(direct.map((d) => d.responsiveness!.toFixed(2)).sort());
  }
}

beforeAll(async () => {
  t = await createTestApp();
  const teamStaff = await makeUser(t.db, { name: "Tess Teamstaff" });
  const manager = await makeUser(t.db, { role: "manager", name: "Milo Manager" });
  const admin = await makeUser(t.db, { role: "admin", name: "Ari Admin" });
  const adminViewConfidential = await makeUser(t.db, { role: "admin", name: "Avi Adminvc", viewConfidential: true });
  const staffViewConfidential = await makeUser(t.db, { name: "Sol Staffvc", viewConfidential: true });
  for (const [who, u] of Object.entries({ teamStaff, manager, admin, adminViewConfidential, staffViewConfidential }) as [Who, typeof admin][]) {
    users[who] = { id: u.id, email: u.email, name: u.name, role: u.role, relationshipTeam: u.relationshipTeam, legalTeam: u.legalTeam, viewConfidential: u.viewConfidential, department: u.department, mustChangePassword: false };
    agents[who] = await signedIn(t.app, u.email);
  }
  amOne = await makeUser(t.db, { role: "manager", name: "Una Accountone" });
  amTwo = await makeUser(t.db, { name: "Dua Accounttwo" });
  catA = await t.db.clientCategory.create({ data: { name: "Alpha sector" } });
  catB = await t.db.clientCategory.create({ data: { name: "Beta sector" } });
  clients.open1 = await makeClient(t.db, admin.id, { name: "Open One", categoryId: catA.id, accountManagerId: amOne.id, createdAt: old });
  clients.open2 = await makeClient(t.db, admin.id, { name: "Open Two", categoryId: catB.id, accountManagerId: amTwo.id, createdAt: old });
  clients.open3 = await makeClient(t.db, admin.id, { name: "Open Three", createdAt: old });
  clients.secretTeam = await makeClient(t.db, admin.id, { name: "Secret Team", categoryId: catA.id, accountManagerId: amOne.id, isConfidential: true, teamUserIds: [teamStaff.id], createdAt: old });
  clients.secretOther = await makeClient(t.db, admin.id, { name: "Secret Other", categoryId: catB.id, accountManagerId: amTwo.id, isConfidential: true, createdAt: old });
  clients.quiet = await makeClient(t.db, admin.id, { name: "Quiet Client", categoryId: catA.id, createdAt: old });
  const rated = (n: number) => ({ responsiveness: n, communication: 6 - n, requirementsClarity: Math.max(1, n - 1), decisionSpeed: 3, overallSatisfaction: n });
  await makeFeedback(t.db, clients.open1.id, admin.id, "2025-Q1", rated(5));
  await makeFeedback(t.db, clients.open1.id, admin.id, "2025-Q2", rated(3));
  await makeFeedback(t.db, clients.open1.id, admin.id, "2025-04", rated(4)); // a month starting with its quarter
  await makeFeedback(t.db, clients.open2.id, admin.id, "2024-Q4", rated(2));
  await makeFeedback(t.db, clients.open2.id, admin.id, lastQuarter, rated(4));
  await makeFeedback(t.db, clients.open3.id, admin.id, "2025-Q3", rated(3));
  await makeFeedback(t.db, clients.secretTeam.id, admin.id, "2025-Q1", rated(5));
  await makeFeedback(t.db, clients.secretTeam.id, admin.id, "2025-Q2", rated(1));
  await makeFeedback(t.db, clients.secretOther.id, admin.id, "2025-Q2", rated(4));
  await makeFeedback(t.db, clients.secretOther.id, admin.id, "2025-Q3", rated(2));
  await makeFeedback(t.db, clients.quiet.id, admin.id, "2024-Q1", rated(4));
});
afterAll(async () => t?.close());

describe("the feedback summaries", () => {
  it("match the rows, and every reader's report matches a direct computation, after inserts", async () => {
    await expectReportsMatchRows("inserts");
  });

  it("follow several rows inserted by one statement, and deletes", async () => {
    await t.db.clientFeedback.createMany({
      data: ["2023-Q1", "2023-Q2", "2023-08"].map((p, i) => {
        const code = p.includes("Q") ? { kind: "quarter" as const, start: new Date(`${p.slice(0, 4)}-${String((Number(p.slice(-1)) - 1) * 3 + 1).padStart(2, "0")}-01T00:00:00Z`) } : { kind: "month" as const, start: new Date(`${p}-01T00:00:00Z`) };
        return { clientId: i === 2 ? clients.secretOther.id : clients.open3.id, recordedById: users.admin.id, periodKind: code.kind, periodStart: code.start, responsiveness: 2 + i, communication: 2, requirementsClarity: 4, decisionSpeed: 5, overallSatisfaction: 5 - i };
      }),
    });
    await expectReportsMatchRows("several in one statement");
    await t.db.clientFeedback.deleteMany({ where: { clientId: clients.open3.id, periodStart: new Date("2023-01-01T00:00:00Z") } });
    await expectReportsMatchRows("a delete");
  });

  it("follow edits and finalizing through the pages", async () => {
    const f = await t.db.clientFeedback.findFirstOrThrow({ where: { clientId: clients.secretTeam.id, periodStart: new Date("2025-04-01T00:00:00Z") } });
    const page = `/clients/${clients.secretTeam.id}/feedback/${f.id}/edit`;
    const edited = await postForm(agents.teamStaff, page, `/clients/${clients.secretTeam.id}/feedback/${f.id}`, {
      ...feedbackFields("2025-Q2", { overallSatisfaction: "2", responsiveness: "5" }, "3"),
      updatedAt: f.updatedAt.toISOString(),
    });
    expect(edited.status).toBe(302);
    expect((await t.db.clientFeedback.findUniqueOrThrow({ where: { id: f.id } })).overallSatisfaction).toBe(2);
    await expectReportsMatchRows("an edit");
    const g = await t.db.clientFeedback.findFirstOrThrow({ where: { clientId: clients.open1.id, periodKind: "month" } });
    const finalized = await postForm(agents.manager, `/clients/${clients.open1.id}/feedback/${g.id}`, `/clients/${clients.open1.id}/feedback/${g.id}/finalize`, {});
    expect(finalized.status).toBe(302);
    expect((await t.db.clientFeedback.findUniqueOrThrow({ where: { id: g.id } })).finalizedAt).not.toBeNull();
    await expectReportsMatchRows("finalizing");
  });

  it("move a client's sums when its category, account manager or restriction changes, and follow its status and name", async () => {
    await t.db.client.update({ where: { id: clients.open1.id }, data: { categoryId: catB.id, accountManagerId: amTwo.id } });
    await expectReportsMatchRows("reassigned");
    await t.db.client.update({ where: { id: clients.open2.id }, data: { isConfidential: true } });
    await expectReportsMatchRows("restricted");
    await t.db.client.update({ where: { id: clients.secretOther.id }, data: { isConfidential: false, categoryId: null } });
    await expectReportsMatchRows("unrestricted");
    await t.db.client.updateMany({ where: { id: { in: [clients.quiet.id, clients.open3.id] } }, data: { accountManagerId: amOne.id, name: "Renamed Quietly" } });
    await t.db.client.update({ where: { id: clients.quiet.id }, data: { status: "on_hold" } });
    await expectReportsMatchRows("several in one statement, a status change");
    // A new client (no feedback yet) has its row from the start, and counts as without recent feedback.
    clients.fresh = await makeClient(t.db, users.admin.id, { name: "Fresh Face", createdAt: old, isConfidential: true, accountManagerId: users.teamStaff.id });
    await expectReportsMatchRows("a new client");
  });

  it("follow a restricted client's team: members and points of contact coming and going, several reasons counted once", async () => {
    const secret = clients.secretOther.id;
    const staff = users.teamStaff.id;
    await t.db.clientTeamMember.create({ data: { clientId: secret, userId: staff } });
    await expectReportsMatchRows("a team member added");
    await t.db.client.update({ where: { id: secret }, data: { primaryPocId: staff, secondaryPocId: users.manager.id } });
    await expectReportsMatchRows("also a point of contact");
    await t.db.clientTeamMember.delete({ where: { clientId_userId: { clientId: secret, userId: staff } } });
    await expectReportsMatchRows("still on the team as a point of contact");
    await t.db.client.update({ where: { id: secret }, data: { primaryPocId: null } });
    await expectReportsMatchRows("off the team");
    await t.db.client.update({ where: { id: clients.secretTeam.id }, data: { accountManagerId: staff } });
    await t.db.clientTeamMember.deleteMany({ where: { clientId: clients.secretTeam.id } });
    await expectReportsMatchRows("account manager instead of team member");
    await t.db.clientTeamMember.createMany({ data: [secret, clients.secretTeam.id, clients.open3.id].map((clientId) => ({ clientId, userId: users.admin.id })) });
    await expectReportsMatchRows("several memberships in one statement");
    // The report's team is the rule's team: client_team_user_ids and client_team_ids agree for every user.
    const { rows } = await t.database.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM users u
       WHERE ARRAY(SELECT DISTINCT x FROM client_team_ids(u.id, FALSE) x ORDER BY 1)
         IS DISTINCT FROM ARRAY(SELECT c.id FROM clients c WHERE u.id = ANY (client_team_user_ids(c.id)) ORDER BY 1)`,
    );
    expect(rows[0]!.n).toBe(0);
  });

  it("stay exact under concurrent writers: team members added and removed while the client's feedback is recorded", async () => {
    const pool = t.database.pool;
    const secret = clients.secretOther.id;
    const insert = (period: string, n: number) => insertMonthly(secret, period, n);
    const team = [users.teamStaff.id, users.manager.id, amOne.id].map((userId, i) =>
      i === 2
        ? pool.query(`UPDATE clients SET primary_poc_id = $2 WHERE id = $1`, [secret, userId])
        : pool.query(`INSERT INTO client_team_members (client_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [secret, userId]),
    );
    await Promise.all([...["2021-01", "2021-02", "2021-03", "2021-04"].map((p, i) => insert(p, 1 + i)), ...team]);
    await expectReportsMatchRows("concurrent team changes");
    await Promise.all([
      insert("2021-05", 3),
      pool.query(`DELETE FROM client_team_members WHERE client_id = $1 AND user_id = $2`, [secret, users.teamStaff.id]),
      pool.query(`UPDATE clients SET is_confidential = FALSE WHERE id = $1`, [secret]),
    ]);
    await expectReportsMatchRows("concurrent removal and unrestriction");
  });

  it("stay exact under concurrent writers: feedback for one client recorded while the client moves", async () => {
    const pool = t.database.pool;
    const insert = (period: string, n: number) => insertMonthly(clients.secretTeam.id, period, n);
    const moves = [catA.id, catB.id, null, catA.id].map((categoryId, i) =>
      pool.query(`UPDATE clients SET category_id = $2, account_manager_id = $3 WHERE id = $1`, [clients.secretTeam.id, categoryId, i % 2 ? amOne.id : amTwo.id]),
    );
    await Promise.all([...["2022-01", "2022-02", "2022-03", "2022-04", "2022-05", "2022-06"].map((p, i) => insert(p, 1 + (i % 5))), ...moves]);
    await expectReportsMatchRows("concurrent writers");
  });
});
