// CSV import of leads: a preview with row-level problems, then every row written or none; and generated CSV (valid rows,
// broken ones, arbitrary text) never gives a server error or a partial write.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { csrfToken, signedIn, type Agent } from "../helpers/http.ts";

let t: TestApp;
let agent: Agent;
let token: string;
let manager: Awaited<ReturnType<typeof makeUser>>;

beforeAll(async () => {
  t = await createTestApp();
  manager = await makeUser(t.db, { role: "manager" });
  await makeUser(t.db, { email: "rep@fuzz.example", name: "Rep Fuzz" });
  await t.db.campaign.create({ data: { name: "Spring webinar", campaignType: "webinar", startDate: new Date(), ownerId: manager.id } });
  agent = await signedIn(t.app, manager.email);
  token = await csrfToken(agent, "/pipeline/leads/import");
});
afterAll(async () => t.close());

const send = (step: "preview" | "commit", csv: string) => agent.post(`/pipeline/leads/import/${step}`).type("form").send({ _csrf: token, csv });

const counts = async () => ({
  leads: await t.db.lead.count(),
  imported: await t.db.auditEvent.count({ where: { action: "lead.import" } }),
  batches: await t.db.auditEvent.count({ where: { action: "lead.import_batch" } }),
});

/** Preview, then commit: no 500; the commit writes exactly the rows the preview counted, and only when all were valid. */
async function checkImport(csv: string, knownRows?: number) {
  const before = await counts();
  const preview = await send("preview", csv);
  expect([200, 413, 422]).toContain(preview.status);
  expect(await counts()).toEqual(before);
  const ready = /data-ready-count="(\d+)"/.exec(preview.text);
  const commit = await send("commit", csv);
  expect([302, 413, 422]).toContain(commit.status);
  const after = await counts();
  if (commit.status === 302) {
    expect(preview.status).toBe(200);
    const created = Number(ready?.[1]);
    if (knownRows !== undefined) expect(created).toBe(knownRows);
    expect(after.leads - before.leads).toBe(created);
    expect(after.imported - before.imported).toBe(created);
    expect(after.batches - before.batches).toBe(1);
  } else {
    expect(after).toEqual(before);
  }
  return commit.status;
}

describe("lead import", () => {
  it("previews row problems by column and writes nothing while any row is wrong", async () => {
    const csv = ["companyName,source,score,email,campaign,ownerEmail", "Good Co,website,10,good@co.example,Spring webinar,rep@fuzz.example", "Bad Co,website,300,not-an-email,Nope,"].join("\n");
    const preview = await send("preview", csv);
    expect(preview.status).toBe(422);
    expect(preview.text).toContain("Nothing will be imported yet.");
    expect(preview.text).toMatch(/<span class="code">score<\/span>: Score must be a whole number from 0 to 100/);
    expect(preview.text).toContain("There is no campaign named &#34;Nope&#34;");
    expect(await checkImport(csv)).toBe(422);
  });

  it("imports every row of a valid file with owners and campaigns, audited, and says so", async () => {
    const csv = ["companyName,contactName,source,status,lostReason,score,campaign,ownerEmail,capturedDate", "Imported One,Ann,website,new,,10,Spring webinar,rep@fuzz.example,2024-01-02", "Imported Two,,referral,lost,No budget,0,,,"].join("\n");
    expect(await checkImport(csv, 2)).toBe(302);
    const one = await t.db.lead.findFirstOrThrow({ where: { companyName: "Imported One" }, include: { owner: true, campaign: true } });
    expect([one.owner.email, one.campaign?.name, one.score, one.capturedDate.toISOString().slice(0, 10)]).toEqual(["rep@fuzz.example", "Spring webinar", 10, "2024-01-02"]);
    expect(await t.db.lead.findFirstOrThrow({ where: { companyName: "Imported Two" } })).toMatchObject({ status: "lost", lostReason: "No budget", ownerId: manager.id });
  });

  it("imports our own export again", async () => {
    const exported = (await agent.get("/pipeline/leads/export.csv")).text;
    expect(await checkImport(exported, await t.db.lead.count())).toBe(302);
  });

  it("is for managers and administrators", async () => {
    const staff = await makeUser(t.db, { role: "staff" });
    const asStaff = await signedIn(t.app, staff.email);
    expect((await asStaff.get("/pipeline/leads/import")).status).toBe(403);
  });
});

describe("lead import fuzzing", () => {
  const cell = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("", "website", "lost", "new", "101", "-1", "2024-02-30", "Spring webinar", "rep@fuzz.example", '"quoted, comma"', "=cmd", "\u0000"));
  it("never fails or writes part of a file of generated rows", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(cell, { minLength: 1, maxLength: 7 }), { minLength: 1, maxLength: 6 }), async (rows) => {
        const header = "companyName,source,status,lostReason,score,campaign,ownerEmail";
        const csv = [header, ...rows.map((r) => r.join(","))].join("\n");
        await checkImport(csv);
      }),
      { numRuns: 40 },
    );
  });

  it("imports exactly the generated valid rows", async () => {
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9 &.-]{0,40}[A-Za-z0-9]$/);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ name, score: fc.integer({ min: 0, max: 100 }), source: fc.constantFrom("website", "referral", "event") }), { minLength: 1, maxLength: 8 }), async (rows) => {
        const csv = ["companyName,source,score", ...rows.map((r) => `"${r.name}",${r.source},${r.score}`)].join("\n");
        expect(await checkImport(csv, rows.length)).toBe(302);
      }),
      { numRuns: 15 },
    );
  });

  it("never fails on arbitrary text", async () => {
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 300 }), async (text) => void (await checkImport(text))), { numRuns: 40 });
  });
});
