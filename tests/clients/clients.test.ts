import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { postForm, signedIn, type Agent } from "../helpers/http.ts";
import { listedIds, makeClient, pagerLink, statusCount } from "./support.ts";

let t: TestApp;
let manager: Agent;
beforeAll(async () => {
  t = await createTestApp();
  const m = await makeUser(t.db, { role: "manager", name: "Mona Manager" });
  manager = await signedIn(t.app, m.email);
});
afterAll(async () => t.close());

describe("creating and finding clients", () => {
  it("creates an organization client with a CLT code, lists it and finds it by a misspelled search", async () => {
    const res = await postForm(manager, "/clients/new", "/clients", { name: "Acme Corporation", clientType: "organization", email: "info@acme.test", taxId: "12-345", status: "active", dataClassification: "confidential" });
    if (res.status !== 302) console.log(res.text.match(/<p class="field-error[^>]*>[^<]*/g), res.text.match(/flash-error[\s\S]{0,300}/g));
    expect(res.status).toBe(302);
    const stored = await t.db.client.findFirstOrThrow({ where: { name: "Acme Corporation" } });
    expect(stored.clientCode).toMatch(/^CLT-\d{4}-0001$/);
    expect(res.headers.location).toBe(`/clients/${stored.id}`);
    const show = await manager.get(res.headers.location!);
    expect(show.status).toBe(200);
    expect(show.text).toContain("Acme Corporation");
    const list = await manager.get("/clients");
    expect(list.text).toContain("Acme Corporation");
    const search = await manager.get("/clients?q=acme+corportion");
    expect(search.text).toContain("Acme Corporation");
    const partial = await manager.get("/clients?q=corp");
    expect(partial.text).toContain("Acme Corporation");
    const none = await manager.get("/clients?q=zzzzqqq");
    expect(none.text).toContain("No clients match");
  });
});

describe("a search ranked by relevance", () => {
  it("pages every match once, names starting with a short text first, and counts them by status", async () => {
    const m = await t.db.user.findFirstOrThrow({ where: { name: "Mona Manager" } });
    const leading: string[] = [];
    const inner: string[] = [];
    for (let i = 0; i < 12; i += 1) leading.push((await makeClient(t.db, m.id, { name: `Zephyrine Holdings ${String(i).padStart(2, "0")}`, status: i < 3 ? "on_hold" : "active" })).id);
    for (let i = 0; i < 20; i += 1) inner.push((await makeClient(t.db, m.id, { name: `Blue Zephyrine Works ${String(i).padStart(2, "0")}` })).id);
    const first = (await manager.get("/clients?q=zeph")).text;
    const firstIds = listedIds(first);
    expect(firstIds).toHaveLength(25);
    expect(firstIds.slice(0, 12).sort()).toEqual([...leading].sort());
    expect(statusCount(first, "Active")).toBe(29);
    expect(statusCount(first, "On hold")).toBe(3);
    const second = (await manager.get(pagerLink(first, "next")!)).text;
    const secondIds = listedIds(second);
    expect(secondIds).toHaveLength(7);
    expect([...firstIds, ...secondIds].sort()).toEqual([...leading, ...inner].sort());
    expect(statusCount(second, "Active")).toBe(29);
  });
});

describe("the dashboard", () => {
  it("leads to the clients area, offering to add clients only to those who may create them", async () => {
    const managerHome = await manager.get("/");
    expect(managerHome.text).toContain('href="/clients"');
    expect(managerHome.text).toContain('href="/clients/by-point-of-contact"');
    expect(managerHome.text).toContain('href="/clients/new"');
    const s = await makeUser(t.db, { role: "staff" });
    const staff = await signedIn(t.app, s.email);
    const staffHome = await staff.get("/");
    expect(staffHome.text).toContain('href="/clients"');
    expect(staffHome.text).not.toContain('href="/clients/new"');
    expect(staffHome.text).not.toContain('href="/clients/import"');
  });
});
