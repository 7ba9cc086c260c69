// Recording, editing and finalizing a client's feedback (DOMAIN.md, "Feedback"): who may record (the client's team,
// managers, administrators) and finalize (managers, administrators); one feedback per client and period, a second
// refused with a link to the first; bad input shown per field with what was typed kept; finalized feedback never
// changes, refused by the app and by the database itself.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { postForm, signedIn, type Agent } from "../helpers/http.ts";
import { decodeHtml, makeClient } from "../clients/support.ts";
import { feedbackFields, fieldError, makeFeedback } from "./support.ts";

let t: TestApp;
let admin: { id: string; email: string };
let manager: { id: string; email: string };
let teamStaff: { id: string; email: string };
let otherStaff: { id: string; email: string };
let client: { id: string; name: string };
const agents: Record<string, Agent> = {};

beforeAll(async () => {
  t = await createTestApp();
  admin = await makeUser(t.db, { role: "admin", name: "Ada Admin" });
  manager = await makeUser(t.db, { role: "manager", name: "Max Manager" });
  teamStaff = await makeUser(t.db, { name: "Tess Team" });
  otherStaff = await makeUser(t.db, { name: "Otto Other" });
  client = await makeClient(t.db, admin.id, { name: "Feedback Fixture Ltd", accountManagerId: teamStaff.id });
  for (const [key, user] of Object.entries({ admin, manager, teamStaff, otherStaff })) agents[key] = await signedIn(t.app, user.email);
});
afterAll(async () => t?.close());

const base = () => `/clients/${client.id}/feedback`;
const record = (who: string, fields: Record<string, string>) => postForm(agents[who]!, `${base()}/new`, base(), fields);

describe("recording feedback", () => {
  it("lets the client's team record feedback, stored with who recorded it and when", async () => {
    const res = await record("teamStaff", feedbackFields("2025-Q1", { responsiveness: "5", decisionSpeed: "2", writtenFeedback: "Quick answers, slow sign-off." }));
    expect(res.status).toBe(302);
    const row = await t.db.clientFeedback.findFirstOrThrow({ where: { clientId: client.id, periodKind: "quarter", periodStart: new Date("2025-01-01T00:00:00Z") } });
    expect(row).toMatchObject({ responsiveness: 5, communication: 4, decisionSpeed: 2, writtenFeedback: "Quick answers, slow sign-off.", recordedById: teamStaff.id, finalizedAt: null });
    expect(res.headers.location).toBe(`${base()}/${row.id}`);
    const page = await agents.teamStaff!.get(res.headers.location!);
    expect(page.text).toContain("Feedback for Q1 2025");
    expect(page.text).toContain("Quick answers, slow sign-off.");
    expect(page.text).toContain("by Tess Team");
    const audit = await t.db.auditEvent.findFirst({ where: { action: "feedback.create", entityId: row.id } });
    expect(audit?.actorId).toBe(teamStaff.id);
  });

  it("lets managers and administrators record feedback for a client they are not on the team of", async () => {
    expect((await record("manager", feedbackFields("2025-02"))).status).toBe(302);
    expect((await record("admin", feedbackFields("2025-03"))).status).toBe(302);
    expect(await t.db.clientFeedback.count({ where: { clientId: client.id, periodKind: "month" } })).toBe(2);
  });

  it("refuses staff outside the client's team, and does not offer them the button", async () => {
    const res = await record("otherStaff", feedbackFields("2025-04"));
    expect(res.status).toBe(403);
    expect(await t.db.clientFeedback.count({ where: { clientId: client.id, periodStart: new Date("2025-04-01T00:00:00Z") } })).toBe(0);
    const page = await agents.otherStaff!.get(base());
    expect(page.status).toBe(200);
    expect(page.text).not.toContain("Record feedback</a>");
  });

  it("refuses a second feedback for the same client and period, linking to the existing one", async () => {
    const existing = await t.db.clientFeedback.findFirstOrThrow({ where: { clientId: client.id, periodKind: "quarter" } });
    const res = await record("manager", feedbackFields("2025-Q1", { writtenFeedback: "Typed again" }));
    expect(res.status).toBe(422);
    expect(fieldError(res.text, "period")).toMatch(/already recorded/);
    expect(res.text).toContain(`href="${base()}/${existing.id}" data-existing-feedback`);
    expect(res.text).toContain("Typed again");
    expect(await t.db.clientFeedback.count({ where: { clientId: client.id, periodKind: "quarter" } })).toBe(1);
    const incomplete = await record("manager", { period: "2025-Q1", responsiveness: "4" });
    expect(incomplete.status).toBe(422);
    expect(fieldError(incomplete.text, "period")).toMatch(/already recorded/);
    expect(fieldError(incomplete.text, "communication")).toMatch(/1 to 5/);
    expect(incomplete.text).toContain(`href="${base()}/${existing.id}" data-existing-feedback`);
  });

  it("shows each bad field next to it and keeps what was typed, never a 500", async () => {
    const res = await record("teamStaff", { period: "2025-13", responsiveness: "6", communication: "0", requirementsClarity: "three", writtenFeedback: "Keep me" });
    expect(res.status).toBe(422);
    expect(fieldError(res.text, "period")).toMatch(/month .* or a quarter/);
    expect(fieldError(res.text, "responsiveness")).toMatch(/1 to 5/);
    expect(fieldError(res.text, "communication")).toMatch(/1 to 5/);
    expect(fieldError(res.text, "requirementsClarity")).toMatch(/1 to 5/);
    expect(fieldError(res.text, "decisionSpeed")).toMatch(/1 to 5/);
    expect(fieldError(res.text, "overallSatisfaction")).toMatch(/1 to 5/);
    expect(decodeHtml(res.text)).toContain(">Keep me</textarea>");
    expect(res.text).toContain('value="2025-13" selected');
    const future = await record("teamStaff", feedbackFields(`${new Date().getUTCFullYear() + 1}-Q1`, { responsiveness: "2" }));
    expect(future.status).toBe(422);
    expect(fieldError(future.text, "period")).toMatch(/not started/);
    expect(future.text).toMatch(/name="responsiveness" value="2" checked/);
    const junk = await record("teamStaff", { ...feedbackFields("2025-Q3"), period: ["a", "b"], responsiveness: ["1", "2"] } as unknown as Record<string, string>);
    expect(junk.status).toBe(422);
    expect(fieldError(junk.text, "period")).toBeDefined();
    expect(fieldError(junk.text, "responsiveness")).toBeDefined();
  });

  it("answers 404 for an unknown client and for another client's feedback id", async () => {
    const other = await makeClient(t.db, admin.id, { name: "Elsewhere Inc" });
    const theirs = await makeFeedback(t.db, other.id, admin.id, "2025-Q2");
    expect((await agents.admin!.get(`${base()}/${theirs.id}`)).status).toBe(404);
    expect((await agents.admin!.get(`/clients/00000000-0000-4000-8000-000000000000/feedback`)).status).toBe(404);
    expect((await agents.admin!.get(`${base()}/not-a-uuid`)).status).toBe(404);
  });
});

describe("editing and finalizing", () => {
  it("lets the team edit feedback before it is finalized", async () => {
    const row = await t.db.clientFeedback.findFirstOrThrow({ where: { clientId: client.id, periodKind: "quarter" } });
    const edit = await agents.teamStaff!.get(`${base()}/${row.id}/edit`);
    expect(edit.status).toBe(200);
    const res = await postForm(agents.teamStaff!, `${base()}/${row.id}/edit`, `${base()}/${row.id}`, { ...feedbackFields("2025-Q1", { overallSatisfaction: "2" }), updatedAt: row.updatedAt.toISOString() });
    expect(res.status).toBe(302);
    const after = await t.db.clientFeedback.findUniqueOrThrow({ where: { id: row.id } });
    expect(after.overallSatisfaction).toBe(2);
    expect(after.updatedById).toBe(teamStaff.id);
  });

  it("does not let staff finalize, even on the client's team", async () => {
    const row = await t.db.clientFeedback.findFirstOrThrow({ where: { clientId: client.id, periodKind: "quarter" } });
    const page = await agents.teamStaff!.get(`${base()}/${row.id}`);
    expect(page.text).not.toContain("Finalize feedback</button>");
    const res = await postForm(agents.teamStaff!, `${base()}/${row.id}`, `${base()}/${row.id}/finalize`, {});
    expect(res.status).toBe(403);
    expect((await t.db.clientFeedback.findUniqueOrThrow({ where: { id: row.id } })).finalizedAt).toBeNull();
  });

  it("lets a manager finalize, shows who and when, and then refuses any change", async () => {
    const row = await t.db.clientFeedback.findFirstOrThrow({ where: { clientId: client.id, periodKind: "quarter" } });
    const res = await postForm(agents.manager!, `${base()}/${row.id}`, `${base()}/${row.id}/finalize`, {});
    expect(res.status).toBe(302);
    const after = await t.db.clientFeedback.findUniqueOrThrow({ where: { id: row.id } });
    expect(after.finalizedById).toBe(manager.id);
    expect(after.finalizedAt).not.toBeNull();
    const page = await agents.teamStaff!.get(`${base()}/${row.id}`);
    expect(page.text).toMatch(/data-finalized>[^<]*by Max Manager/);
    expect(page.text).not.toContain("/edit\">Edit</a>");
    expect((await agents.teamStaff!.get(`${base()}/${row.id}/edit`)).status).toBe(409);
    const change = await postForm(agents.admin!, `${base()}/${row.id}`, `${base()}/${row.id}`, feedbackFields("2025-Q1", { overallSatisfaction: "5" }));
    expect(change.status).toBe(409);
    expect(change.text).toContain("finalized and can no longer change");
    expect((await t.db.clientFeedback.findUniqueOrThrow({ where: { id: row.id } })).overallSatisfaction).toBe(2);
    const again = await postForm(agents.admin!, `${base()}/${row.id}`, `${base()}/${row.id}/finalize`, {});
    expect(again.status).toBe(302);
    expect((await t.db.clientFeedback.findUniqueOrThrow({ where: { id: row.id } })).finalizedById).toBe(manager.id);
  });

  it("lets an administrator finalize", async () => {
    const row = await t.db.clientFeedback.findFirstOrThrow({ where: { clientId: client.id, periodKind: "month", finalizedAt: null } });
    expect((await postForm(agents.admin!, `${base()}/${row.id}`, `${base()}/${row.id}/finalize`, {})).status).toBe(302);
    expect((await t.db.clientFeedback.findUniqueOrThrow({ where: { id: row.id } })).finalizedById).toBe(admin.id);
  });
});

describe("the database holds the rules too", () => {
  it("refuses UPDATE and DELETE of a finalized row, and TRUNCATE while one exists", async () => {
    const row = await t.db.clientFeedback.findFirstOrThrow({ where: { clientId: client.id, finalizedAt: { not: null } } });
    await expect(t.database.pool.query("UPDATE client_feedback SET overall_satisfaction = 5 WHERE id = $1", [row.id])).rejects.toThrow(/finalized feedback cannot change/);
    await expect(t.database.pool.query("UPDATE client_feedback SET finalized_at = NULL, finalized_by_id = NULL WHERE id = $1", [row.id])).rejects.toThrow(/finalized/);
    await expect(t.database.pool.query("DELETE FROM client_feedback WHERE id = $1", [row.id])).rejects.toThrow(/finalized feedback cannot change/);
    await expect(t.database.pool.query("TRUNCATE client_feedback")).rejects.toThrow(/TRUNCATE refused/);
    expect((await t.db.clientFeedback.findUniqueOrThrow({ where: { id: row.id } })).overallSatisfaction).toBe(row.overallSatisfaction);
  });

  it("lets a draft change and be deleted at the database", async () => {
    const draft = await makeFeedback(t.db, client.id, admin.id, "2024-Q4");
    await t.database.pool.query("UPDATE client_feedback SET communication = 5 WHERE id = $1", [draft.id]);
    await t.database.pool.query("DELETE FROM client_feedback WHERE id = $1", [draft.id]);
    expect(await t.db.clientFeedback.findUnique({ where: { id: draft.id } })).toBeNull();
  });

  it("holds ratings to 1-5, periods to their first day, and one feedback per client and period", async () => {
    const insert = (sql: string) => t.database.pool.query(`INSERT INTO client_feedback (id, client_id, period_kind, period_start, responsiveness, communication, requirements_clarity, decision_speed, overall_satisfaction, recorded_by_id, updated_at)
      VALUES (gen_random_uuid(), $1, ${sql}, $2, now())`, [client.id, admin.id]);
    await expect(insert("'quarter', '2023-01-01', 0, 3, 3, 3, 3")).rejects.toThrow(/responsiveness_range/);
    await expect(insert("'quarter', '2023-01-01', 3, 3, 3, 3, 6")).rejects.toThrow(/overall_satisfaction_range/);
    await expect(insert("'quarter', '2023-02-01', 3, 3, 3, 3, 3")).rejects.toThrow(/period_start_first_day/);
    await expect(insert("'month', '2023-02-15', 3, 3, 3, 3, 3")).rejects.toThrow(/period_start_first_day/);
    await insert("'month', '2023-02-01', 3, 3, 3, 3, 3");
    await expect(insert("'month', '2023-02-01', 4, 4, 4, 4, 4")).rejects.toThrow(/unique|duplicate/i);
  });

  it("keeps a client with feedback from being deleted, listing the feedback", async () => {
    const page = await agents.admin!.get(`/clients/${client.id}/delete`);
    expect(page.text).toMatch(/feedback<\/strong>: [^<]*2025-Q1/);
    const res = await postForm(agents.admin!, `/clients/${client.id}/delete`, `/clients/${client.id}/delete`, {});
    expect(res.status).toBe(302);
    expect(await t.db.client.findUnique({ where: { id: client.id } })).not.toBeNull();
  });
});
