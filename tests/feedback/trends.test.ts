// A client's feedback history, averages over a chosen range, trend charts per rating (server-drawn SVG with a table
// behind each) with case satisfaction as its own series, CSV exports and the printable report; and the firm-wide
// report: averages by category, account manager and quarter, satisfaction drops, clients without recent feedback.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inflateSync } from "node:zlib";
import { parse } from "csv-parse/sync";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { signedIn, type Agent } from "../helpers/http.ts";
import { makeClient } from "../clients/support.ts";
import { makeCaseType } from "../cases/support.ts";
import { addQuarters, periodCode, quarterStart } from "../../src/feedback/periods.ts";
import { chartPoints, makeFeedback } from "./support.ts";

let t: TestApp;
let admin: { id: string; email: string; name: string };
let manager: { id: string; email: string; name: string };
let agent: Agent;
let client: { id: string };
let steady: { id: string };
let silent: { id: string };
let category: { id: string };
let caseNumber = 0;

/** The text a PDF shows: each page stream inflated, the strings of its TJ/Tj operators joined per operator, one a line. */
function pdfText(pdf: Buffer): string {
  const raw = pdf.toString("latin1");
  const lines: string[] = [];
  for (const m of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    let content: string;
    try {
      content = inflateSync(Buffer.from(m[1]!, "latin1")).toString("latin1");
    } catch {
      content = m[1]!;
    }
    for (const op of content.matchAll(/\[([^\]]*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj/g)) {
      const hexes = op[1] !== undefined ? [...op[1].matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => h[1]!) : [op[2]!];
      lines.push(hexes.map((h) => Buffer.from(h, "hex").toString("latin1")).join(""));
    }
  }
  return lines.join("\n");
}

function csvRows(text: string): string[][] {
  return parse(text.replace(/^\uFEFF/, ""), { relax_column_count: true }) as string[][];
}

async function resolvedCase(clientId: string, managerId: string, typeId: string, resolutionDate: string, satisfaction: number) {
  caseNumber += 1;
  return t.db.case.create({
    data: {
      caseNumber: `CASE-1999-${String(caseNumber).padStart(6, "0")}`,
      title: `Resolved matter ${caseNumber}`,
      description: "Done",
      clientId,
      managerId,
      typeId,
      status: "resolved",
      resolutionDate: new Date(`${resolutionDate}T12:00:00Z`),
      satisfaction,
      createdById: managerId,
    },
  });
}

beforeAll(async () => {
  t = await createTestApp();
  admin = await makeUser(t.db, { role: "admin", name: "Ada Admin" });
  manager = await makeUser(t.db, { role: "manager", name: "Mona Manager" });
  category = await t.db.clientCategory.create({ data: { name: "Enterprise" } });
  const old = new Date("2020-01-01T00:00:00Z");
  client = await makeClient(t.db, admin.id, { name: "Trendline Corp", accountManagerId: manager.id, categoryId: category.id, createdAt: old });
  steady = await makeClient(t.db, admin.id, { name: "Steady Ltd", accountManagerId: admin.id, createdAt: old });
  silent = await makeClient(t.db, admin.id, { name: "Silent Partners", accountManagerId: manager.id, createdAt: old });
  await makeFeedback(t.db, client.id, admin.id, "2025-Q1", { responsiveness: 5, communication: 4, requirementsClarity: 3, decisionSpeed: 2, overallSatisfaction: 5, writtenFeedback: "Great start" });
  await makeFeedback(t.db, client.id, admin.id, "2025-Q2", { responsiveness: 3, communication: 4, requirementsClarity: 4, decisionSpeed: 2, overallSatisfaction: 4 });
  await makeFeedback(t.db, client.id, admin.id, "2025-07", { responsiveness: 1, communication: 2, requirementsClarity: 2, decisionSpeed: 3, overallSatisfaction: 2, finalizedAt: new Date(), finalizedById: manager.id });
  await makeFeedback(t.db, steady.id, admin.id, "2025-Q2", { overallSatisfaction: 4 });
  await makeFeedback(t.db, steady.id, admin.id, periodCode({ kind: "quarter", start: addQuarters(quarterStart(new Date()), -1) }), { overallSatisfaction: 4 });
  await makeFeedback(t.db, silent.id, admin.id, "2024-Q1", { overallSatisfaction: 5 });
  const { type } = await makeCaseType(t.db);
  await resolvedCase(client.id, manager.id, type.id, "2025-02-10", 4);
  await resolvedCase(client.id, manager.id, type.id, "2025-03-20", 3);
  await resolvedCase(client.id, manager.id, type.id, "2025-08-01", 1);
  agent = await signedIn(t.app, admin.email);
});
afterAll(async () => t?.close());

describe("a client's feedback page", () => {
  it("lists the history newest first, with averages over all periods", async () => {
    const res = await agent.get(`/clients/${client.id}/feedback`);
    expect(res.status).toBe(200);
    const history = /data-history>([\s\S]*?)<\/table>/.exec(res.text)![1]!;
    expect([...history.matchAll(/>(Q\d \d{4}|\w{3} \d{4})<\/a>/g)].map((m) => m[1])).toEqual(["Jul 2025", "Q2 2025", "Q1 2025"]);
    expect(history).toContain("Finalized");
    expect(res.text).toMatch(/data-rating="responsiveness">3.00</);
    expect(res.text).toMatch(/data-rating="overallSatisfaction">3.67</);
  });

  it("averages over the chosen date range only, as a direct query computes them", async () => {
    const res = await agent.get(`/clients/${client.id}/feedback?from=2025-04-01&to=2025-12-31`);
    const [direct] = await t.database.pool.query(
      `SELECT avg(responsiveness)::float8 AS r, avg(overall_satisfaction)::float8 AS o, count(*)::int AS n FROM client_feedback WHERE client_id = $1 AND period_start BETWEEN '2025-04-01' AND '2025-12-31'`,
      [client.id],
    ).then((r) => r.rows);
    expect(direct.n).toBe(2);
    expect(res.text).toMatch(new RegExp(`data-rating="responsiveness">${direct.r.toFixed(2)}<`));
    expect(res.text).toMatch(new RegExp(`data-rating="overallSatisfaction">${direct.o.toFixed(2)}<`));
    expect(res.text).toMatch(/data-count>2</);
    expect(res.text).not.toContain("Q1 2025</a>");
  });

  it("draws a trend chart per rating with a point per period, and case satisfaction as its own series", async () => {
    const res = await agent.get(`/clients/${client.id}/feedback`);
    for (const rating of ["responsiveness", "communication", "requirementsClarity", "decisionSpeed"]) expect(chartPoints(res.text, rating)).toBe(3);
    // Overall satisfaction: 3 feedback points and 2 quarters of resolved cases (Q1 2025: 3.5 over 2, Q3 2025: 1 over 1).
    expect(chartPoints(res.text, "overallSatisfaction")).toBe(5);
    expect(res.text).toMatch(/<svg class="chart" id="trend-responsiveness"[^>]*role="img" aria-labelledby="trend-responsiveness-title"/);
    const overall = res.text.slice(res.text.indexOf('data-chart="overallSatisfaction"'));
    expect(overall).toMatch(/<td>Case satisfaction<\/td><td>Q1 2025<\/td><td>3.50 \(2 cases\)<\/td>/);
    expect(overall).toMatch(/<td>Case satisfaction<\/td><td>Q3 2025<\/td><td>1.00 \(1 case\)<\/td>/);
    expect(overall).toMatch(/<td>Overall satisfaction<\/td><td>Jul 2025<\/td><td>2.00<\/td>/);
  });

  it("exports the history, averages and trend as CSV files holding what the page shows", async () => {
    const history = await agent.get(`/clients/${client.id}/feedback/export/history.csv`);
    expect(history.status).toBe(200);
    expect(history.headers["content-type"]).toMatch(/text\/csv/);
    const rows = csvRows(history.text);
    expect(rows[0]).toContain("Overall satisfaction");
    expect(rows.slice(1).map((r) => r[0])).toEqual(["2025-07", "2025-Q2", "2025-Q1"]);
    expect(rows[3]).toContain("Great start");
    const averages = csvRows((await agent.get(`/clients/${client.id}/feedback/export/averages.csv?from=2025-04-01`)).text);
    expect(averages[1]!.slice(0, 3)).toEqual(["2", "1", "2.00"]);
    const trend = csvRows((await agent.get(`/clients/${client.id}/feedback/export/trend.csv`)).text);
    expect(trend.filter((r) => r[0] === "Case satisfaction")).toEqual([["Case satisfaction", "Q1 2025", "3.50", "2"], ["Case satisfaction", "Q3 2025", "1.00", "1"]]);
    expect((await agent.get(`/clients/${client.id}/feedback/export/secrets.csv`)).status).toBe(404);
  });

  it("offers a printable performance report with a print stylesheet", async () => {
    const res = await agent.get(`/clients/${client.id}/feedback/report?from=2025-01-01`);
    expect(res.status).toBe(200);
    expect(res.text).toContain("Performance report: Trendline Corp");
    expect(res.text).toContain("Great start");
    expect(chartPoints(res.text, "responsiveness")).toBe(3);
    const css = await agent.get("/public/css/app.css");
    expect(css.text).toMatch(/@media print \{[\s\S]*\.topbar[\s\S]*display: none/);
  });

  it("downloads the performance report as a PDF holding the client's averages over the range, beside the printable page", async () => {
    const page = await agent.get(`/clients/${client.id}/feedback/report?from=2025-01-01`);
    expect(page.text).toContain(`href="/clients/${client.id}/feedback/report.pdf?from=2025-01-01"`);
    const res = await agent.get(`/clients/${client.id}/feedback/report.pdf?from=2025-01-01`).buffer(true).parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on("data", (c: Buffer) => chunks.push(c));
      r.on("end", () => done(null, Buffer.concat(chunks)));
    });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("application/pdf");
    const pdf = res.body as Buffer;
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    const text = pdfText(pdf);
    expect(text).toContain("Performance report: Trendline Corp");
    // The averages over the three feedback (as on the page): responsiveness 3.00, overall satisfaction 3.67.
    expect(text).toMatch(/Responsiveness\s*3\.00/);
    expect(text).toMatch(/Overall satisfaction\s*3\.67/);
    expect(text).toContain("Great start");
    // Only the chosen range: from 2026 on there is none.
    const empty = pdfText((await agent.get(`/clients/${client.id}/feedback/report.pdf?from=2026-01-01`).buffer(true).parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on("data", (c: Buffer) => chunks.push(c));
      r.on("end", () => done(null, Buffer.concat(chunks)));
    })).body as Buffer);
    expect(empty).toContain("No feedback in these periods.");
    expect(empty).not.toMatch(/Overall satisfaction\s*3\.67/);
    const audit = await t.db.auditEvent.findFirst({ where: { action: "feedback.export", entityId: client.id }, orderBy: { at: "desc" } });
    expect(JSON.stringify(audit?.changes)).toContain("client-report-pdf");
  });

  it("shows the latest feedback on the client's page, with the way to the history", async () => {
    const res = await agent.get(`/clients/${client.id}`);
    expect(res.text).toMatch(/id="feedback"[\s\S]*Jul 2025[\s\S]*overall satisfaction <strong>2<\/strong>/);
    expect(res.text).toContain(`href="/clients/${client.id}/feedback">History, averages and trends`);
  });
});

describe("the firm-wide report", () => {
  it("is in the navigation", async () => {
    const res = await agent.get("/");
    expect(res.text).toContain('href="/feedback"');
  });

  it("averages by category, account manager and quarter", async () => {
    const res = await agent.get("/feedback?from=2025-01-01&to=2025-09-30");
    expect(res.status).toBe(200);
    const table = (id: string) => /data-table="([^"]+)"/.test(res.text) ? res.text.slice(res.text.indexOf(`data-table="${id}"`), res.text.indexOf("</table>", res.text.indexOf(`data-table="${id}"`))) : "";
    expect(table("by-category")).toMatch(/<th scope="row">Enterprise<\/th><td data-count>3<\/td><td data-rating="responsiveness">3.00<\/td>/);
    expect(table("by-category")).toMatch(/<th scope="row">No category<\/th><td data-count>1<\/td>/);
    expect(table("by-account-manager")).toMatch(/<th scope="row">Mona Manager<\/th><td data-count>3<\/td>/);
    expect(table("by-quarter")).toMatch(/<th scope="row">Q2 2025<\/th><td data-count>2<\/td>[\s\S]*?data-rating="overallSatisfaction">4.00</);
    expect(table("by-quarter")).toMatch(/<th scope="row">Q3 2025<\/th><td data-count>1<\/td>/);
  });

  it("lists clients whose satisfaction fell by a point or more since the previous period", async () => {
    const res = await agent.get("/feedback?from=2025-01-01");
    const drops = res.text.slice(res.text.indexOf('data-table="drops"'));
    expect(drops).toContain(`data-client="${client.id}"`);
    expect(drops).toMatch(/−2<\/td>/);
    expect(drops).not.toContain(`data-client="${steady.id}"`);
    const csv = csvRows((await agent.get("/feedback/export/satisfaction-drops.csv?from=2025-01-01")).text);
    expect(csv.slice(1)).toEqual([["Trendline Corp", expect.any(String), "Mona Manager", "2025-Q2", "4", "2025-07", "2", "2"]]);
  });

  it("lists active clients without feedback for the last two quarters", async () => {
    const res = await agent.get("/feedback");
    const missing = res.text.slice(res.text.indexOf('data-table="without-feedback"'));
    expect(missing).toContain(`data-client="${silent.id}"`);
    expect(missing).toContain(`data-client="${client.id}"`);
    expect(missing).not.toContain(`data-client="${steady.id}"`);
    const csv = csvRows((await agent.get("/feedback/export/without-feedback.csv")).text);
    expect(csv.slice(1).map((r) => r[0])).toEqual(["Silent Partners", "Trendline Corp"]);
    expect(csv.find((r) => r[0] === "Silent Partners")![3]).toBe("2024-Q1");
  });

  it("exports each averages table as CSV, and audits exports", async () => {
    for (const file of ["by-category", "by-account-manager", "by-quarter"]) {
      const res = await agent.get(`/feedback/export/${file}.csv?from=2025-01-01&to=2025-09-30`);
      expect(res.status).toBe(200);
      expect(csvRows(res.text)[0]![0]).toMatch(/Category|Account manager|Quarter/);
    }
    const byQuarter = csvRows((await agent.get("/feedback/export/by-quarter.csv?from=2025-01-01&to=2025-09-30")).text);
    expect(byQuarter.slice(1).map((r) => [r[0], r[1]])).toEqual([["2025-Q1", "1"], ["2025-Q2", "2"], ["2025-Q3", "1"]]);
    expect(await t.db.auditEvent.count({ where: { action: "feedback.export", actorId: admin.id } })).toBeGreaterThanOrEqual(4);
  });
});

describe("the firm-wide report with many clients whose satisfaction fell", () => {
  it("counts them up to 1,000 (then says 1,000+), lists the first 50 and exports them all", async () => {
    // 1,001 more clients, each with a quarter at 4 and the next at 2, written in two statements.
    await t.database.pool.query(
      `INSERT INTO clients (id, client_code, name, client_type, status, created_by_id, updated_at)
       SELECT gen_random_uuid(), 'CLT-1999-' || lpad(n::text, 5, '0'), 'Falling Client ' || lpad(n::text, 5, '0'), 'organization', 'active', $1::uuid, now()
       FROM generate_series(1, 1001) n`,
      [admin.id],
    );
    await t.database.pool.query(
      `INSERT INTO client_feedback (id, client_id, period_kind, period_start, responsiveness, communication, requirements_clarity, decision_speed, overall_satisfaction, recorded_by_id, updated_at)
       SELECT gen_random_uuid(), c.id, 'quarter', q.start, 3, 3, 3, 3, q.overall, $1::uuid, now()
       FROM clients c CROSS JOIN (VALUES ('2025-04-01'::date, 4), ('2025-07-01'::date, 2)) q (start, overall)
       WHERE c.name LIKE 'Falling Client %'`,
      [admin.id],
    );
    const res = await agent.get("/feedback?from=2025-01-01");
    expect(res.text).toMatch(/Satisfaction fell <span class="count">1,000\+<\/span>/);
    expect(res.text).toContain("The first 50 of 1,000+; the CSV file has them all.");
    const start = res.text.indexOf('data-table="drops"');
    expect(res.text.slice(start, res.text.indexOf("</table>", start)).match(/<tr data-client=/g)).toHaveLength(50);
    const csv = csvRows((await agent.get("/feedback/export/satisfaction-drops.csv?from=2025-01-01")).text);
    expect(csv.slice(1).filter((r) => r[0]!.startsWith("Falling Client "))).toHaveLength(1001);
  });
});
