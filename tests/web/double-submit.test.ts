// Double submits (issue 18): a create form's one-time key (`_once`) makes a double click, a browser retry or a
// resubmitted page create one record. For each kind of create, ten identical posts sent at once create exactly one
// record and all get the same redirect; a form error releases the key so the corrected resubmission works; two keys
// create two records; posts without a key are untouched (docs/double-submit.md).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type request from "supertest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { csrfToken, signedIn, type Agent } from "../helpers/http.ts";
import { formFields, makeClient } from "../clients/support.ts";
import { makeCaseType } from "../cases/support.ts";
import { formOf } from "../communications/support.ts";
import { pdfWithText, typeId } from "../documents/support.ts";
import { feedbackFields } from "../feedback/support.ts";
import { ACCEPT, makeProposal, makeProspect } from "../pipeline/support.ts";
import { onceKey } from "../../src/web/once.ts";

let t: TestApp;
let manager: { id: string; email: string };
let agent: Agent;
let token: string;
let client: { id: string };
let caseType: { id: string };
let n = 0;

beforeAll(async () => {
  t = await createTestApp();
  manager = await makeUser(t.db, { role: "manager", name: "Mia Manager" });
  agent = await signedIn(t.app, manager.email);
  token = await csrfToken(agent, "/clients/new");
  client = await makeClient(t.db, manager.id, { name: "Doubleclick Holdings", accountManagerId: manager.id });
  caseType = (await makeCaseType(t.db, { name: "Advice" })).type;
  // A key from two days ago: purged by the first guarded request.
  await t.database.pool.query(
    `INSERT INTO form_submissions (key, user_id, method, path, status, created_at) VALUES ('old-key-0123456789abcdef', $1, 'POST', '/clients', 'done', now() - interval '2 days')`,
    [manager.id],
  );
});
afterAll(async () => t?.close());

const form = (action: string, fields: Record<string, string>) => agent.post(action).type("form").send({ _csrf: token, ...fields });

interface Kind {
  /** Sends one create with `key` (none: undefined); `variant` makes the record distinct from another key's. */
  send(key: string | undefined, variant: string): request.Test;
  /** How many records the sends with `variant` made. */
  count(variant: string): Promise<number>;
}

const kinds: Record<string, () => Promise<Kind>> = {
  client: async () => ({
    send: (key, v) => form("/clients", { name: `Twice Clicked ${v} Gannet`, clientType: "organization", confirmDuplicates: "on", ...(key ? { _once: key } : {}) }),
    count: (v) => t.db.client.count({ where: { name: `Twice Clicked ${v} Gannet` } }),
  }),
  contact: async () => ({
    send: (key, v) => form(`/clients/${client.id}/contacts`, { name: `Rita Retry ${v}`, active: "on", ...(key ? { _once: key } : {}) }),
    count: (v) => t.db.contact.count({ where: { name: `Rita Retry ${v}` } }),
  }),
  case: async () => {
    const fields = formFields((await agent.get(`/cases/new?clientId=${client.id}`)).text, "data-case-form") as Record<string, string>;
    return {
      send: (key, v) => form("/cases", { ...fields, typeId: caseType.id, managerId: manager.id, title: `Double matter ${v}`, description: "Opened once.", templateId: "none", ...(key ? { _once: key } : {}) }),
      count: (v) => t.db.case.count({ where: { title: `Double matter ${v}` } }),
    };
  },
  document: async () => {
    const other = await typeId(t.db, "other");
    return {
    send: (key, v) => {
      const req = agent.post("/documents").field("_csrf", token).field("typeId", other).field("clientId", client.id).field("title", `Scan ${v}`);
      if (key) req.field("_once", key);
      return req.attach("file", pdfWithText(`scan ${v}`), { filename: `scan-${v}.pdf`, contentType: "application/pdf" });
    },
    count: (v) => t.db.document.count({ where: { clientId: client.id, title: `Scan ${v}` } }),
    };
  },
  communication: async () => ({
    send: (key, v) => form(`/clients/${client.id}/communications`, { ...(formOf({ subject: `Called twice ${v}` }) as Record<string, string>), ...(key ? { _once: key } : {}) }),
    count: (v) => t.db.communication.count({ where: { subject: `Called twice ${v}` } }),
  }),
  feedback: async () => ({
    send: (key, v) => form(`/clients/${client.id}/feedback`, { ...feedbackFields(v === "a" ? "2024-Q1" : v === "b" ? "2024-Q2" : "2024-Q3"), ...(key ? { _once: key } : {}) }),
    count: (v) => t.db.clientFeedback.count({ where: { clientId: client.id, periodStart: new Date(v === "a" ? "2024-01-01" : v === "b" ? "2024-04-01" : "2024-07-01") } }),
  }),
  "proposal conversion": async () => {
    const proposals: Record<string, string> = {};
    for (const v of ["a", "b", "c"]) {
      const prospect = await makeProspect(t.db, manager.id, { companyName: `Converted ${v} Ltd ${n++}` });
      proposals[v] = (await makeProposal(t.db, prospect.id, manager.id, { status: "sent" })).id;
    }
    return {
      send: (key, v) => form(`/pipeline/proposals/${proposals[v]}/accept`, { ...ACCEPT, ...(key ? { _once: key } : {}) }),
      count: async (v) => t.db.client.count({ where: { originProspect: { proposals: { some: { id: proposals[v] } } } } }),
    };
  },
};

describe.each(Object.keys(kinds))("creating a %s", (name) => {
  let kind: Kind;
  beforeAll(async () => {
    kind = await kinds[name]!();
  });

  it("ten identical posts at once create one record, and all get the same redirect", async () => {
    const key = onceKey();
    const responses = await Promise.all(Array.from({ length: 10 }, () => kind.send(key, "a")));
    const statuses = new Set(responses.map((r) => r.status));
    expect(statuses.size).toBe(1);
    expect([302, 303]).toContain([...statuses][0]);
    const locations = new Set(responses.map((r) => r.headers.location));
    expect(locations.size).toBe(1);
    expect(await kind.count("a")).toBe(1);
    // Sent again later (a resubmitted page): the same redirect, still one record.
    const again = await kind.send(key, "a");
    expect(again.status).toBe([...statuses][0]);
    expect(again.headers.location).toBe([...locations][0]);
    expect(await kind.count("a")).toBe(1);
    const stored = await t.database.pool.query(`SELECT status, location, user_id FROM form_submissions WHERE key = $1`, [key]);
    expect(stored.rows).toEqual([{ status: "done", location: [...locations][0], user_id: manager.id }]);
  });

  it("two keys create two records; posts without a key are not deduplicated", async () => {
    expect([302, 303]).toContain((await kind.send(onceKey(), "b")).status);
    const before = await kind.count("b");
    expect(before).toBe(1);
    if (name === "feedback" || name === "proposal conversion") {
      // One per period, one client per proposal: a second is refused or answered by the first, whatever the key.
      const second = await kind.send(onceKey(), "b");
      expect([302, 409, 422]).toContain(second.status);
      expect(await kind.count("b")).toBe(1);
      return;
    }
    expect([302, 303]).toContain((await kind.send(onceKey(), "b")).status);
    expect(await kind.count("b")).toBe(2);
    expect([302, 303]).toContain((await kind.send(undefined, "b")).status);
    expect(await kind.count("b")).toBe(3);
  });
});

describe("a form error", () => {
  it("releases the key: the corrected resubmission with the same key creates one record", async () => {
    const key = onceKey();
    const bad = await form(`/clients/${client.id}/contacts`, { name: "  ", email: "not-an-email", _once: key });
    expect(bad.status).toBe(422);
    expect((await t.database.pool.query(`SELECT 1 FROM form_submissions WHERE key = $1`, [key])).rowCount).toBe(0);
    const [first, second] = await Promise.all([
      form(`/clients/${client.id}/contacts`, { name: "Corrected Carla", _once: key }),
      form(`/clients/${client.id}/contacts`, { name: "Corrected Carla", _once: key }),
    ]);
    expect([first.status, second.status]).toEqual([302, 302]);
    expect(first.headers.location).toBe(second.headers.location);
    expect(await t.db.contact.count({ where: { name: "Corrected Carla" } })).toBe(1);
  });

  it("ten identical bad posts at once all get the form back, and nothing is stored", async () => {
    const key = onceKey();
    const responses = await Promise.all(Array.from({ length: 10 }, () => form(`/clients/${client.id}/contacts`, { name: "", _once: key })));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(422));
    expect((await t.database.pool.query(`SELECT 1 FROM form_submissions WHERE key = $1`, [key])).rowCount).toBe(0);
  });
});

describe("the keys", () => {
  it("are purged after a day", async () => {
    expect((await t.database.pool.query(`SELECT 1 FROM form_submissions WHERE key = 'old-key-0123456789abcdef'`)).rowCount).toBe(0);
  });

  it("belong to their user: another user's key is refused (409), not answered with its redirect", async () => {
    const key = onceKey();
    expect((await form(`/clients/${client.id}/contacts`, { name: "Owned Olga", _once: key })).status).toBe(302);
    const other = await makeUser(t.db, { role: "manager" });
    const otherAgent = await signedIn(t.app, other.email);
    const otherToken = await csrfToken(otherAgent, "/clients/new");
    const res = await otherAgent.post(`/clients/${client.id}/contacts`).type("form").send({ _csrf: otherToken, name: "Owned Olga", _once: key });
    expect(res.status).toBe(409);
    expect(await t.db.contact.count({ where: { name: "Owned Olga" } })).toBe(1);
  });

  it("are in every create form, fresh at each rendering", async () => {
    const pages = ["/clients/new", `/clients/${client.id}/contacts/new`, `/cases/new?clientId=${client.id}`, `/clients/${client.id}/feedback/new`, `/clients/${client.id}`];
    for (const page of pages) {
      const first = /name="_once" value="([A-Za-z0-9_-]{24})"/.exec((await agent.get(page)).text);
      const second = /name="_once" value="([A-Za-z0-9_-]{24})"/.exec((await agent.get(page)).text);
      expect(first, page).not.toBeNull();
      expect(first![1]).not.toBe(second![1]);
    }
  });
});
