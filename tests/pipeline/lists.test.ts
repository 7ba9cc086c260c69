// The leads and prospects lists: keyset pages that visit every row once in each order, filters, capped counts, and
// edited or foreign cursors that start again from the first page instead of failing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { signedIn, type Agent } from "../helpers/http.ts";
import { decodeHtml } from "../clients/support.ts";
import { makeProposal } from "./support.ts";

let t: TestApp;
let agent: Agent;
let owner: Awaited<ReturnType<typeof makeUser>>;

beforeAll(async () => {
  t = await createTestApp();
  owner = await makeUser(t.db, { role: "manager" });
  agent = await signedIn(t.app, owner.email);
  const companies = Array.from({ length: 120 }, (_, i) => `Paging ${String.fromCharCode(65 + (i % 26))}${i} Co`);
  await t.db.lead.createMany({ data: companies.map((companyName, i) => ({ companyName, source: "website", score: i % 7, capturedDate: new Date(), ownerId: owner.id, createdById: owner.id, status: i % 3 === 0 ? "contacted" : "new" })) });
  await t.db.prospect.createMany({ data: companies.map((companyName, i) => ({ companyName, ownerId: owner.id, createdById: owner.id, estimatedValue: (i % 9) * 1000, probability: 50, stage: i % 2 ? "discovery" : "negotiation" })) });
  const prospects = await t.db.prospect.findMany({ where: { ownerId: owner.id }, select: { id: true }, take: 60 });
  for (const [i, p] of prospects.entries()) await makeProposal(t.db, p.id, owner.id, i % 4 === 0 ? { status: "sent" } : {});
});
afterAll(async () => t.close());

const rowIds = (html: string, attr: string) => [...html.matchAll(new RegExp(`${attr}="([0-9a-f-]{36})"`, "g"))].map((m) => m[1]!);
const nextLink = (html: string) => {
  const m = /<a rel="next" href="([^"]*)"/.exec(html);
  return m ? decodeHtml(m[1]!) : undefined;
};

async function walk(base: string, attr: string): Promise<string[]> {
  const seen: string[] = [];
  let url: string | undefined = base;
  while (url) {
    const res = await agent.get(url);
    expect(res.status).toBe(200);
    seen.push(...rowIds(res.text, attr));
    const next = nextLink(res.text);
    url = next;
  }
  return seen;
}

describe("keyset pages", () => {
  it.each(["newest", "company", "score"])("visit every lead once, sorted by %s", async (sort) => {
    const ids = await walk(`/pipeline/leads?sort=${sort}`, "data-lead-row");
    expect(ids).toHaveLength(120);
    expect(new Set(ids).size).toBe(120);
  });

  it.each(["updated", "company", "value", "close"])("visit every prospect once, sorted by %s", async (sort) => {
    const ids = await walk(`/pipeline/prospects?sort=${sort}`, "data-prospect-row");
    expect(new Set(ids).size).toBe(120);
  });

  it("visit every proposal once, newest first, also filtered by status, and the export has them all", async () => {
    const ids = await walk("/pipeline/proposals", "data-proposal");
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
    const first = await agent.get("/pipeline/proposals");
    expect(first.text).toContain("60 proposals, newest first");
    expect(await walk("/pipeline/proposals?status=sent", "data-proposal")).toHaveLength(15);
    const csv = await agent.get("/pipeline/proposals/export.csv");
    expect(csv.text.trim().split("\n")).toHaveLength(61);
  });

  // A search of five characters or more also matches similar words: its matches are gathered first, then paged.
  it.each(["newest", "company", "score"])("visit every lead a search matches once, sorted by %s, and count them", async (sort) => {
    const first = await agent.get(`/pipeline/leads?q=paging&sort=${sort}`);
    expect(first.text).toContain("120 leads match these filters.");
    const ids = await walk(`/pipeline/leads?q=paging&sort=${sort}`, "data-lead-row");
    expect(ids).toHaveLength(120);
    expect(new Set(ids).size).toBe(120);
    expect(await walk(`/pipeline/leads?q=paging&sort=${sort}`, "data-lead-row")).toEqual(await walk(`/pipeline/leads?sort=${sort}`, "data-lead-row"));
  });

  it.each(["updated", "company", "value", "close"])("visit every prospect a search matches once, sorted by %s", async (sort) => {
    const ids = await walk(`/pipeline/prospects?q=paging&stage=negotiation&sort=${sort}`, "data-prospect-row");
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
    expect(ids).toEqual(await walk(`/pipeline/prospects?stage=negotiation&sort=${sort}`, "data-prospect-row"));
  });

  it("shows an empty page for a search that matches nothing", async () => {
    const none = await agent.get("/pipeline/leads?q=zzqqxxwwvv");
    expect(none.status).toBe(200);
    expect(rowIds(none.text, "data-lead-row")).toEqual([]);
    expect(nextLink(none.text)).toBeUndefined();
  });

  it("filters, and counts what matches", async () => {
    const res = await agent.get("/pipeline/leads?status=contacted");
    expect(res.text).toContain("40 leads match these filters.");
    expect((await walk("/pipeline/leads?status=contacted", "data-lead-row")).length).toBe(40);
    const stage = await agent.get("/pipeline/prospects?stage=negotiation");
    expect(stage.text).toContain("60 prospects match these filters.");
  });

  it("starts again from the first page on an edited cursor, never failing", async () => {
    const bad = [
      "garbage",
      Buffer.from(JSON.stringify(["not a time", "00000000-0000-0000-0000-000000000000"])).toString("base64url"),
      Buffer.from(JSON.stringify([1, 2])).toString("base64url"),
      Buffer.from(JSON.stringify(["2024-01-01 00:00:00", "x"])).toString("base64url"),
    ];
    for (const after of bad) {
      for (const list of ["/pipeline/leads?sort=score", "/pipeline/leads", "/pipeline/prospects?sort=value", "/pipeline/prospects?sort=close"]) {
        const res = await agent.get(`${list}${list.includes("?") ? "&" : "?"}after=${encodeURIComponent(after)}`);
        expect(res.status, `${list} after=${after}`).toBe(200);
      }
    }
  });
});
