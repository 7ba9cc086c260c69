import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Prisma } from "../../src/generated/prisma/client.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { csrfToken, signedIn, type Agent } from "../helpers/http.ts";

let t: TestApp;
let creatorId: string;
let manager: { user: { id: string }; agent: Agent };
let fixture = 0;

async function makeClient(data: Partial<Prisma.ClientUncheckedCreateInput> & { name: string }) {
  fixture += 1;
  return t.db.client.create({ data: { clientCode: `CLT-2003-${String(fixture).padStart(4, "0")}`, clientType: "organization", createdById: creatorId, ...data } });
}

async function login(overrides: Parameters<typeof makeUser>[1] = {}) {
  const user = await makeUser(t.db, overrides);
  return { user, agent: await signedIn(t.app, user.email) };
}

async function post(agent: Agent, step: "preview" | "apply", fields: Record<string, string | string[]>) {
  const token = await csrfToken(agent, "/clients");
  return agent.post(`/clients/bulk/${step}`).type("form").send({ _csrf: token, ...fields });
}

/** Each outcome row of the preview table: the id (or client) and its outcome. */
function outcomes(html: string): Record<string, string> {
  return Object.fromEntries([...html.matchAll(/<tr data-id="([^"]*)" data-outcome="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]));
}

const snapshot = (ids: string[]) =>
  t.db.client.findMany({ where: { id: { in: ids } }, select: { id: true, status: true, categoryId: true, accountManagerId: true, updatedAt: true }, orderBy: { id: "asc" } });

beforeAll(async () => {
  t = await createTestApp();
  creatorId = (await makeUser(t.db, { role: "admin" })).id;
  manager = await login({ role: "manager", name: "Mia Manager" });
});
afterAll(async () => t.close());

describe("bulk update of clients", () => {
  it("is for managers and administrators: staff get 403 and nothing changes", async () => {
    const client = await makeClient({ name: "Staff Target" });
    const staff = await login();
    expect((await staff.agent.get("/clients/bulk")).status).toBe(403);
    for (const step of ["preview", "apply"] as const) {
      expect((await post(staff.agent, step, { ids: [client.id], status: "archived" })).status).toBe(403);
    }
    expect((await t.db.client.findUniqueOrThrow({ where: { id: client.id } })).status).toBe("active");
  });

  it("lists the visible clients matching the list's filters, ready to select", async () => {
    const am = await makeUser(t.db);
    await makeClient({ name: "Picker Visible One", status: "on_hold" });
    await makeClient({ name: "Picker Visible Two", status: "active" });
    const hidden = await makeClient({ name: "Picker Hidden Three", status: "on_hold", isConfidential: true, accountManagerId: am.id });
    const page = await manager.agent.get("/clients/bulk?q=picker&status=on_hold");
    expect(page.status).toBe(200);
    expect(page.text).toContain("Picker Visible One");
    expect(page.text).not.toContain("Picker Visible Two");
    expect(page.text).not.toContain("Picker Hidden Three");
    expect(page.text).not.toContain(hidden.id);
    expect(page.text.match(/name="ids"/g)).toHaveLength(1);
  });

  it("says where its page of 50 is, and keeps the position on the next page", async () => {
    const category = await t.db.clientCategory.create({ data: { name: "Pager position" } });
    for (let i = 1; i <= 55; i += 1) await makeClient({ name: `Pagepos ${String(i).padStart(2, "0")}`, categoryId: category.id });
    const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/&nbsp;|\s+/g, " ");
    const first = (await manager.agent.get(`/clients/bulk?category=${category.id}`)).text;
    expect(text(first)).toContain("Showing 1–50 of 55");
    const next = /<a rel="next" href="([^"]*)"/.exec(first)?.[1]?.replace(/&amp;/g, "&");
    expect(next).toContain("from=51");
    const second = (await manager.agent.get(next!)).text;
    expect(text(second)).toContain("Showing 51–55 of 55");
    expect(second.match(/name="ids"/g)).toHaveLength(5);
  });

  it("previews per-row outcomes as a dry run and writes nothing", async () => {
    const category = await t.db.clientCategory.create({ data: { name: "Dry run category" } });
    const a = await makeClient({ name: "Dry A", status: "active" });
    const b = await makeClient({ name: "Dry B", status: "archived", categoryId: category.id });
    const before = await snapshot([a.id, b.id]);
    const auditBefore = await t.db.auditEvent.count();
    const res = await post(manager.agent, "preview", { ids: [a.id, b.id], status: "archived", categoryId: category.id });
    expect(res.status).toBe(200);
    expect(outcomes(res.text)).toEqual({ [a.id]: "change", [b.id]: "unchanged" });
    expect(res.text).toContain("Status: Active → <strong>Archived</strong>");
    expect(res.text).toContain("Category: No category → <strong>Dry run category</strong>");
    expect(res.text).toContain("nothing has been changed yet");
    expect(await snapshot([a.id, b.id])).toEqual(before);
    expect(await t.db.auditEvent.count()).toBe(auditBefore);
  });

  it("applies every change in one transaction, auditing each changed client with before and after plus one summary", async () => {
    const newManager = await makeUser(t.db, { name: "New Account Manager" });
    const category = await t.db.clientCategory.create({ data: { name: "Apply category" } });
    const clients = await Promise.all(["Apply 1", "Apply 2", "Apply 3"].map((name) => makeClient({ name })));
    const same = await makeClient({ name: "Apply same", status: "on_hold", categoryId: category.id, accountManagerId: newManager.id });
    const ids = [...clients.map((c) => c.id), same.id];
    const res = await post(manager.agent, "apply", { ids, status: "on_hold", categoryId: category.id, accountManagerId: newManager.id, back: "?q=apply" });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("/clients?q=apply");
    for (const c of await snapshot(ids)) expect(c).toMatchObject({ status: "on_hold", categoryId: category.id, accountManagerId: newManager.id });

    const events = await t.db.auditEvent.findMany({ where: { action: "client.update", entityId: { in: ids } } });
    expect(events.map((e) => e.entityId).sort()).toEqual(clients.map((c) => c.id).sort());
    for (const e of events) {
      expect(e.actorId).toBe(manager.user.id);
      expect(e.changes).toEqual({
        status: { before: "active", after: "on_hold" },
        categoryId: { before: null, after: category.id },
        accountManagerId: { before: null, after: newManager.id },
      });
    }
    const summary = await t.db.auditEvent.findMany({ where: { action: "client.bulk_update" } });
    expect(summary).toHaveLength(1);
    expect(summary[0]!.changes).toMatchObject({
      changedClientIds: { after: expect.arrayContaining(clients.map((c) => c.id)) },
      unchangedClientIds: { after: [same.id] },
      requested: { after: { status: "on_hold", categoryId: category.id, accountManagerId: newManager.id } },
    });
    const list = await manager.agent.get(res.headers.location!);
    expect(list.text).toContain("Updated 3 clients; 1 already had these values.");
  });

  it("reports a hidden client's id posted by hand as not found, without naming it, and leaves every row untouched", async () => {
    const am = await makeUser(t.db);
    const visible = await makeClient({ name: "Visible Neighbour" });
    const hidden = await makeClient({ name: "Secret Sibling", isConfidential: true, accountManagerId: am.id });
    const before = await snapshot([visible.id, hidden.id]);
    const auditBefore = await t.db.auditEvent.count();

    const preview = await post(manager.agent, "preview", { ids: [visible.id, hidden.id, "not-a-uuid"], status: "archived" });
    expect(preview.status).toBe(200);
    expect(outcomes(preview.text)).toEqual({ [visible.id]: "change", [hidden.id]: "not_found", "not-a-uuid": "not_found" });
    expect(preview.text).not.toContain("Secret Sibling");
    // The apply form carries only the rows that can change.
    const applyForm = preview.text.slice(preview.text.indexOf('action="/clients/bulk/apply"'));
    expect(applyForm).toContain(`name="ids" value="${visible.id}"`);
    expect(applyForm).not.toContain(`value="${hidden.id}"`);

    const apply = await post(manager.agent, "apply", { ids: [visible.id, hidden.id], status: "archived" });
    expect(apply.status).toBe(422);
    expect(apply.text).toContain("Nothing was changed.");
    expect(outcomes(apply.text)[hidden.id]).toBe("not_found");
    expect(apply.text).not.toContain("Secret Sibling");
    expect(await snapshot([visible.id, hidden.id])).toEqual(before);
    expect(await t.db.auditEvent.count()).toBe(auditBefore);

    // Its team sees it as any other client.
    const teamManager = await login({ role: "manager" });
    await t.db.client.update({ where: { id: hidden.id }, data: { accountManagerId: teamManager.user.id } });
    expect(outcomes((await post(teamManager.agent, "preview", { ids: [hidden.id], status: "archived" })).text)).toEqual({ [hidden.id]: "change" });
  });

  it("refuses more than 50 clients at once with a message", async () => {
    const ids = await Promise.all(Array.from({ length: 51 }, (_, i) => makeClient({ name: `Over limit ${i}` }).then((c) => c.id)));
    for (const step of ["preview", "apply"] as const) {
      const res = await post(manager.agent, step, { ids, status: "archived" });
      expect(res.status).toBe(422);
      expect(res.text).toContain("Select at most 50 clients at a time; you selected 51.");
    }
    expect(await t.db.client.count({ where: { id: { in: ids }, status: "archived" } })).toBe(0);
  });

  it("never deactivates or revives: inactive is refused as a change and inactive clients are refused per row", async () => {
    const active = await makeClient({ name: "Still Active" });
    const inactive = await makeClient({ name: "Long Gone", status: "inactive", deactivatedAt: new Date(), deactivationReason: "Closed" });
    const toInactive = await post(manager.agent, "preview", { ids: [active.id], status: "inactive" });
    expect(toInactive.status).toBe(422);
    expect(toInactive.text).toContain("Deactivation is not a bulk change");

    const preview = await post(manager.agent, "preview", { ids: [active.id, inactive.id], status: "archived" });
    expect(outcomes(preview.text)).toEqual({ [active.id]: "change", [inactive.id]: "refused" });
    expect(preview.text).toContain("an administrator reactivates it");
    const apply = await post(manager.agent, "apply", { ids: [active.id, inactive.id], status: "archived" });
    expect(apply.status).toBe(422);
    expect((await snapshot([active.id, inactive.id])).map((c) => c.status).sort()).toEqual(["active", "inactive"]);

    // A category change alone is fine for an inactive client.
    const category = await t.db.clientCategory.create({ data: { name: "For the inactive" } });
    expect((await post(manager.agent, "apply", { ids: [inactive.id], categoryId: category.id })).status).toBe(302);
    expect(await t.db.client.findUniqueOrThrow({ where: { id: inactive.id } })).toMatchObject({ status: "inactive", categoryId: category.id });
  });

  it("refuses a row changed by someone else after the preview, and then writes nothing", async () => {
    const a = await makeClient({ name: "Stale A" });
    const b = await makeClient({ name: "Stale B" });
    const preview = await post(manager.agent, "preview", { ids: [a.id, b.id], status: "archived" });
    const versions = [...preview.text.matchAll(/name="versions" value="([^"]+)"/g)].map((m) => m[1]!);
    expect(versions).toHaveLength(2);
    await t.db.client.update({ where: { id: b.id }, data: { city: "Changed meanwhile" } });
    const apply = await post(manager.agent, "apply", { ids: [a.id, b.id], status: "archived", versions });
    expect(apply.status).toBe(422);
    expect(outcomes(apply.text)).toEqual({ [a.id]: "change", [b.id]: "refused" });
    expect((await snapshot([a.id, b.id])).map((c) => c.status)).toEqual(["active", "active"]);
  });

  it("asks for at least one change and for clients to change", async () => {
    const a = await makeClient({ name: "No change" });
    const none = await post(manager.agent, "preview", { ids: [a.id] });
    expect(none.status).toBe(422);
    expect(none.text).toContain("Choose at least one change");
    const noIds = await post(manager.agent, "preview", { status: "archived" });
    expect(noIds.status).toBe(422);
    expect(noIds.text).toContain("Select at least one client.");
    const badManager = await post(manager.agent, "preview", { ids: [a.id], accountManagerId: "00000000-0000-4000-8000-000000000000" });
    expect(badManager.status).toBe(422);
    expect(badManager.text).toContain("Choose an active user.");
  });
});
