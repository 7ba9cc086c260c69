// Feedback inherits its client's visibility (DOMAIN.md, "Who may see a record"): a restricted client's feedback exists
// only for its team and holders of "view confidential". For everyone else, admins included, every feedback route of
// that client is the same 404 as a missing one (by guessed URL too), and its feedback is absent from the firm-wide
// report, its CSV files and its averages, which are computed over the reader's visible clients only: checked here
// for every role and flag against a direct SQL query over the clients a plain statement of the rule lets them see.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "csv-parse/sync";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { postForm, signedIn, type Agent } from "../helpers/http.ts";
import { makeClient } from "../clients/support.ts";
import type { CurrentUser } from "../../src/access/roles.ts";
import { feedbackFields, makeFeedback } from "./support.ts";

type Who = "admin" | "manager" | "accountManager" | "primaryPoc" | "secondaryPoc" | "teamMember" | "offTeam" | "viewConfidential" | "relationshipTeam" | "legalTeam";
const EVERYONE: Who[] = ["admin", "manager", "accountManager", "primaryPoc", "secondaryPoc", "teamMember", "offTeam", "viewConfidential", "relationshipTeam", "legalTeam"];
const SEES_RESTRICTED = new Set<Who>(["accountManager", "primaryPoc", "secondaryPoc", "teamMember", "viewConfidential"]);
/** Who may record (and edit) the restricted client's feedback: its team, and managers and admins who see it. */
const MAY_RECORD = new Set<Who>(["accountManager", "primaryPoc", "secondaryPoc", "teamMember"]);

const R_NAME = "Zebulon Restricted Holdings";
const R_MANAGER = "Amos Accountmgr";
const R_CATEGORY = "Secretive Sector";
const R_WRITTEN = "Narwhal verdict 4471";

let t: TestApp;
const users = {} as Record<Who, CurrentUser & { email: string }>;
const agents = {} as Record<Who, Agent>;
let restricted: { id: string };
let ordinary: { id: string };
let rDraft: { id: string };
let rFinal: { id: string };
let oDraft: { id: string };
/** The oracle: DOMAIN.md's client rule in plain TypeScript. */
interface ClientTeamFacts {
  isConfidential: boolean;
  accountManagerId: string | null;
  primaryPocId: string | null;
  secondaryPocId: string | null;
  teamUserIds: string[];
}
const canSeeClient = (user: { id: string; viewConfidential: boolean }, c: ClientTeamFacts) =>
  !c.isConfidential || user.viewConfidential || [c.accountManagerId, c.primaryPocId, c.secondaryPocId].includes(user.id) || c.teamUserIds.includes(user.id);
const facts: (ClientTeamFacts & { id: string })[] = [];

function csvRows(text: string): string[][] {
  return parse(text.replace(/^\uFEFF/, ""), { relax_column_count: true }) as string[][];
}

beforeAll(async () => {
  t = await createTestApp();
  const spec: Record<Who, Parameters<typeof makeUser>[1]> = {
    admin: { role: "admin", name: "Ada Admin" },
    manager: { role: "manager", name: "Max Manager", department: "Advisory" },
    accountManager: { name: R_MANAGER },
    primaryPoc: { name: "Pia Primary" },
    secondaryPoc: { name: "Sid Secondary" },
    teamMember: { name: "Tom Teammate" },
    offTeam: { name: "Olga Offteam" },
    viewConfidential: { name: "Vera Viewconf", viewConfidential: true },
    relationshipTeam: { name: "Rita Relteam", relationshipTeam: true },
    legalTeam: { name: "Lars Legal", legalTeam: true },
  };
  for (const who of EVERYONE) users[who] = (await makeUser(t.db, spec[who])) as unknown as CurrentUser & { email: string };
  const secret = await t.db.clientCategory.create({ data: { name: R_CATEGORY } });
  const plain = await t.db.clientCategory.create({ data: { name: "Plain Sector" } });
  const old = new Date("2020-01-01T00:00:00Z");
  restricted = await makeClient(t.db, users.admin.id, {
    name: R_NAME,
    isConfidential: true,
    categoryId: secret.id,
    accountManagerId: users.accountManager.id,
    primaryPocId: users.primaryPoc.id,
    secondaryPocId: users.secondaryPoc.id,
    teamUserIds: [users.teamMember.id],
    createdAt: old,
  });
  ordinary = await makeClient(t.db, users.admin.id, { name: "Ordinary Widgets Ltd", categoryId: plain.id, accountManagerId: users.manager.id, createdAt: old });
  const other = await makeClient(t.db, users.admin.id, { name: "Second Ordinary Co", categoryId: secret.id, accountManagerId: users.offTeam.id, createdAt: old });
  facts.push(
    { id: restricted.id, isConfidential: true, accountManagerId: users.accountManager.id, primaryPocId: users.primaryPoc.id, secondaryPocId: users.secondaryPoc.id, teamUserIds: [users.teamMember.id] },
    { id: ordinary.id, isConfidential: false, accountManagerId: users.manager.id, primaryPocId: null, secondaryPocId: null, teamUserIds: [] },
    { id: other.id, isConfidential: false, accountManagerId: users.offTeam.id, primaryPocId: null, secondaryPocId: null, teamUserIds: [] },
  );
  // The restricted client's satisfaction fell (5 to 1), its ratings pull every average down.
  rFinal = await makeFeedback(t.db, restricted.id, users.admin.id, "2025-Q1", { responsiveness: 1, communication: 1, requirementsClarity: 1, decisionSpeed: 1, overallSatisfaction: 5, finalizedAt: new Date(), finalizedById: users.admin.id });
  rDraft = await makeFeedback(t.db, restricted.id, users.admin.id, "2025-Q2", { responsiveness: 1, communication: 2, requirementsClarity: 1, decisionSpeed: 1, overallSatisfaction: 1, writtenFeedback: R_WRITTEN });
  oDraft = await makeFeedback(t.db, ordinary.id, users.admin.id, "2025-Q1", { responsiveness: 5, communication: 4, requirementsClarity: 5, decisionSpeed: 4, overallSatisfaction: 5 });
  await makeFeedback(t.db, ordinary.id, users.admin.id, "2025-05", { responsiveness: 4, communication: 4, requirementsClarity: 3, decisionSpeed: 5, overallSatisfaction: 4 });
  await makeFeedback(t.db, other.id, users.admin.id, "2025-Q2", { responsiveness: 2, communication: 5, requirementsClarity: 4, decisionSpeed: 3, overallSatisfaction: 3 });
  for (const who of EVERYONE) agents[who] = await signedIn(t.app, users[who].email);
});
afterAll(async () => t?.close());

const R = () => `/clients/${restricted.id}/feedback`;
const readRoutes = () => [
  R(),
  `${R()}?from=2025-01-01`,
  `${R()}/new`,
  `${R()}/report`,
  `${R()}/report.pdf`,
  `${R()}/export/history.csv`,
  `${R()}/export/averages.csv`,
  `${R()}/export/trend.csv`,
  `${R()}/${rDraft.id}`,
  `${R()}/${rDraft.id}/edit`,
  `${R()}/${rFinal.id}`,
];

describe.each(EVERYONE)("%s", (who) => {
  const sees = SEES_RESTRICTED.has(who);

  it(sees ? "reads the restricted client's feedback pages, charts and exports" : "gets 404 for every feedback page of the restricted client, by guessed URL too", async () => {
    for (const url of readRoutes()) {
      const res = await agents[who].get(url);
      // The record and edit forms are for those who may record: a reader who may not is told so (403).
      const form = url.endsWith("/new") || url.endsWith("/edit");
      const expected = !sees ? 404 : form && !MAY_RECORD.has(who) ? 403 : 200;
      expect(res.status, url).toBe(expected);
      if (!sees) {
        expect(res.text, url).not.toContain(R_NAME);
        expect(res.text, url).not.toContain(R_WRITTEN);
      }
    }
    if (sees) {
      const page = await agents[who].get(R());
      expect(page.text).toContain(R_NAME);
      expect((page.text.match(/data-point/g) ?? []).length).toBe(10);
    }
  });

  it(sees ? (MAY_RECORD.has(who) ? "may record and edit, not finalize" : "may read but not record, edit or finalize") : "cannot record, edit or finalize the restricted client's feedback (404)", async () => {
    const record = await postForm(agents[who], "/", R(), feedbackFields("2024-Q3"));
    const edit = await postForm(agents[who], "/", `${R()}/${rDraft.id}`, feedbackFields("2025-Q2", { overallSatisfaction: "3" }));
    const finalize = await postForm(agents[who], "/", `${R()}/${rDraft.id}/finalize`, {});
    if (!sees) {
      expect([record.status, edit.status, finalize.status]).toEqual([404, 404, 404]);
    } else if (MAY_RECORD.has(who)) {
      expect([record.status, edit.status, finalize.status]).toEqual([302, 302, 403]);
      await t.db.clientFeedback.deleteMany({ where: { clientId: restricted.id, periodStart: new Date("2024-07-01T00:00:00Z") } });
      await t.db.clientFeedback.update({ where: { id: rDraft.id }, data: { overallSatisfaction: 1, updatedById: null } });
    } else {
      expect([record.status, edit.status, finalize.status]).toEqual([403, 403, 403]);
    }
    const row = await t.db.clientFeedback.findUniqueOrThrow({ where: { id: rDraft.id } });
    expect(row.overallSatisfaction).toBe(1);
    expect(row.finalizedAt).toBeNull();
  });

  it("finds the restricted client's feedback in the firm-wide report and its CSV files exactly when it may see the client", async () => {
    const page = await agents[who].get("/feedback?from=2025-01-01");
    expect(page.status).toBe(200);
    for (const marker of [R_NAME, R_MANAGER]) expect(page.text.includes(marker), marker).toBe(sees);
    const drops = csvRows((await agents[who].get("/feedback/export/satisfaction-drops.csv?from=2025-01-01")).text);
    expect(drops.some((r) => r[0] === R_NAME)).toBe(sees);
    const missing = csvRows((await agents[who].get("/feedback/export/without-feedback.csv")).text);
    expect(missing.some((r) => r[0] === R_NAME)).toBe(sees);
    const managers = csvRows((await agents[who].get("/feedback/export/by-account-manager.csv?from=2025-01-01")).text);
    expect(managers.some((r) => r[0] === R_MANAGER)).toBe(sees);
  });

  it("sees averages over its visible clients only, as a direct query over those clients computes them", async () => {
    const visible = facts.filter((c) => canSeeClient(users[who], c)).map((c) => c.id);
    expect(visible.includes(restricted.id)).toBe(sees);
    const direct = async (group: string) =>
      (
        await t.database.pool.query(
          `SELECT ${group} AS label, count(*)::int AS n, avg(f.responsiveness)::float8 AS r, avg(f.communication)::float8 AS c, avg(f.requirements_clarity)::float8 AS q,
              avg(f.decision_speed)::float8 AS d, avg(f.overall_satisfaction)::float8 AS o
           FROM client_feedback f JOIN clients c ON c.id = f.client_id LEFT JOIN client_categories cat ON cat.id = c.category_id
           WHERE f.client_id = ANY($1::uuid[]) AND f.period_start >= '2025-01-01' GROUP BY 1 ORDER BY 1`,
          [visible],
        )
      ).rows.map((r: { label: string; n: number; r: number; c: number; q: number; d: number; o: number }) => [r.label, String(r.n), ...[r.r, r.c, r.q, r.d, r.o].map((v) => v.toFixed(2))]);
    const shown = async (file: string) => csvRows((await agents[who].get(`/feedback/export/${file}?from=2025-01-01`)).text).slice(1).map((r) => [r[0], r[1], ...r.slice(3)]);
    expect(await shown("by-category.csv")).toEqual(await direct("cat.name"));
    expect(await shown("by-quarter.csv")).toEqual(await direct(`to_char(f.period_start, 'YYYY') || '-Q' || to_char(f.period_start, 'Q')`));
    // And on the page: the Q2 2025 row of the quarter table.
    const page = await agents[who].get("/feedback?from=2025-01-01");
    const q2 = (await direct(`to_char(f.period_start, 'YYYY') || '-Q' || to_char(f.period_start, 'Q')`)).find((r) => r[0] === "2025-Q2")!;
    expect(page.text).toMatch(new RegExp(`<th scope="row">Q2 2025</th><td data-count>${q2[1]}</td><td data-rating="responsiveness">${q2[2]}</td>`));
  });

  it("sees the ordinary client's feedback and its own client hub section", async () => {
    expect((await agents[who].get(`/clients/${ordinary.id}/feedback/${oDraft.id}`)).status).toBe(200);
    const hub = await agents[who].get(`/clients/${ordinary.id}`);
    expect(hub.text).toContain('id="feedback"');
  });
});
