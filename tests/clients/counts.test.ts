import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { postForm, signedIn, type Agent } from "../helpers/http.ts";

let t: TestApp;
let seq = 0;

async function client(status: "active" | "inactive" | "on_hold" | "archived", extra: Record<string, unknown> = {}) {
  seq += 1;
  const creator = await t.db.user.findFirstOrThrow();
  return t.db.client.create({
    data: {
      clientCode: `CLT-1998-${String(seq).padStart(4, "0")}`,
      name: `Counted Client ${seq}`,
      status,
      createdById: creator.id,
      ...(status === "inactive" ? { deactivatedAt: new Date(), deactivationReason: "test" } : {}),
      ...extra,
    },
  });
}

/** The status tabs as the page shows them: { active: 3, ... }. */
async function tabs(agent: Agent, query = "") {
  const html = (await agent.get(`/clients${query}`)).text;
  const counts: Record<string, number> = {};
  for (const [, status, n] of html.matchAll(/status=(active|inactive|on_hold|archived)[^"]*"[^>]*>[^<]*<span class="count">([\d,+]+)<\/span>/g)) {
    counts[status!] = Number(n!.replace(/[,+]/g, ""));
  }
  return counts;
}

/** What a direct count of the clients a user may see gives, per status. */
async function truth(userId: string, viewConfidential: boolean) {
  const rows = await t.db.$queryRaw<{ status: string; n: bigint }[]>`
    SELECT c.status::text AS status, count(*) AS n FROM clients c
    WHERE NOT c.is_confidential OR ${viewConfidential} OR c.account_manager_id = ${userId}::uuid OR c.primary_poc_id = ${userId}::uuid
      OR c.secondary_poc_id = ${userId}::uuid OR EXISTS (SELECT 1 FROM client_team_members m WHERE m.client_id = c.id AND m.user_id = ${userId}::uuid)
    GROUP BY 1`;
  const counts: Record<string, number> = { active: 0, inactive: 0, on_hold: 0, archived: 0 };
  for (const r of rows) counts[r.status] = Number(r.n);
  return counts;
}

let admin: Agent;
let adminId: string;
let staff: Agent;
let staffId: string;
let holder: Agent;
let holderId: string;

beforeAll(async () => {
  t = await createTestApp();
  const a = await makeUser(t.db, { role: "admin", viewConfidential: false });
  const s = await makeUser(t.db, { role: "staff" });
  const h = await makeUser(t.db, { role: "staff", viewConfidential: true });
  [adminId, staffId, holderId] = [a.id, s.id, h.id];
  [admin, staff, holder] = await Promise.all([signedIn(t.app, a.email), signedIn(t.app, s.email), signedIn(t.app, h.email)]);
});
afterAll(async () => t.close());

describe("the status counts on the client list", () => {
  it("match a direct count of the visible clients for each user, through creates, status changes and deletes", async () => {
    await client("active");
    await client("active");
    await client("on_hold");
    await client("archived");
    const restrictedMine = await client("active", { isConfidential: true, accountManagerId: staffId });
    const restrictedTeam = await client("on_hold", { isConfidential: true, team: { create: [{ userId: staffId }] } });
    const restrictedOther = await client("archived", { isConfidential: true });
    const check = async () => {
      expect(await tabs(staff)).toEqual(await truth(staffId, false));
      expect(await tabs(holder)).toEqual(await truth(holderId, true));
      expect(await tabs(admin)).toEqual(await truth(adminId, false));
    };
    await check();
    expect((await tabs(holder)).archived).toBe(((await tabs(staff)).archived ?? 0) + 1); // the restricted client of nobody's team

    // A status change and a restriction change through the app, a delete, and a raw update all keep the summary exact.
    const toDeactivate = await client("active");
    const deactivated = await postForm(admin, `/clients/${toDeactivate.id}`, `/clients/${toDeactivate.id}/deactivate`, { reason: "Engagement ended" });
    expect(deactivated.status).toBe(302);
    await t.db.client.update({ where: { id: restrictedMine.id }, data: { isConfidential: false } });
    await t.db.client.update({ where: { id: restrictedTeam.id }, data: { status: "archived" } });
    await t.db.client.delete({ where: { id: restrictedOther.id } });
    await check();
    const [summary] = await t.db.$queryRaw<{ n: bigint }[]>`SELECT sum(n) AS n FROM client_status_counts`;
    expect(Number(summary!.n)).toBe(await t.db.client.count());
  });

  it("counts with filters stay within what the user may see", async () => {
    const secret = await client("active", { isConfidential: true, name: "Quartzite Restricted Counting" });
    expect(await tabs(staff, "?q=quartzite")).toEqual({ active: 0, inactive: 0, on_hold: 0, archived: 0 });
    expect((await tabs(holder, "?q=quartzite")).active).toBe(1);
    await t.db.client.delete({ where: { id: secret.id } });
  });

  it("past the cap, a filter's counts are lower bounds from the first 1,000 matches, shown with a \"+\"", async () => {
    const category = await t.db.clientCategory.create({ data: { name: "Counted In Bulk" } });
    const creator = await t.db.user.findFirstOrThrow();
    // 900 active and 201 on hold clients in one category: 1,101 matches, more than the 1,000 the counts look at.
    await t.db.$executeRaw`INSERT INTO clients (id, client_code, name, status, category_id, created_by_id, updated_at)
      SELECT gen_random_uuid(), 'CLT-1997-' || lpad(g::text, 4, '0'), 'Bulk Client ' || g, (CASE WHEN g <= 900 THEN 'active' ELSE 'on_hold' END)::"ClientStatus",
        ${category.id}::uuid, ${creator.id}::uuid, now()
      FROM generate_series(1, 1101) g`;
    const counted = await tabs(staff, `?category=${category.id}`);
    expect(Object.values(counted).reduce((sum, n) => sum + n, 0)).toBe(1000);
    expect(counted.active! + counted.on_hold!).toBe(1000);
    const html = (await staff.get(`/clients?category=${category.id}`)).text;
    expect(html).toMatch(/<span class="count">[\d,]+\+<\/span>/);
    expect(html).toContain("Showing 1–25 of 1,000+");
    await t.db.client.deleteMany({ where: { categoryId: category.id } });
  });
});
