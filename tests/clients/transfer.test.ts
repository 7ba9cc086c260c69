import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "csv-parse/sync";
import type { Prisma } from "../../src/generated/prisma/client.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { csrfToken, signedIn, type Agent } from "../helpers/http.ts";

let t: TestApp;
let creatorId: string;
let fixture = 0;

/** A client written straight to the database, with a past year's code so it never meets the codes the app hands out. */
async function makeClient(data: Partial<Prisma.ClientUncheckedCreateInput> & { name: string; teamUserIds?: string[] }) {
  const { teamUserIds = [], ...fields } = data;
  fixture += 1;
  return t.db.client.create({
    data: {
      clientCode: `CLT-2001-${String(fixture).padStart(4, "0")}`,
      clientType: "organization",
      createdById: creatorId,
      ...fields,
      team: { create: teamUserIds.map((userId) => ({ userId })) },
    },
  });
}

async function login(overrides: Parameters<typeof makeUser>[1] = {}) {
  const user = await makeUser(t.db, overrides);
  return { user, agent: await signedIn(t.app, user.email) };
}

/** The export as a browser saves it: header row and rows, keyed by column name. */
async function exportOf(agent: Agent, query = "") {
  const res = await agent.get(`/clients/export.csv${query}`).buffer(true).parse((response, done) => {
    let text = "";
    response.setEncoding("utf8");
    response.on("data", (chunk: string) => (text += chunk));
    response.on("end", () => done(null, text));
  });
  const text = res.body as string;
  const records = parse(text, { bom: true }) as string[][];
  const [header = [], ...rows] = records;
  const byName = rows.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ""])));
  return { res, text, header, rows: byName };
}

/** Page text with EJS's entities decoded, to compare with messages as written. */
function decoded(html: string): string {
  return html.replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

async function importPost(agent: Agent, step: "preview" | "commit", csv: string) {
  const token = await csrfToken(agent, "/clients/import");
  return agent.post(`/clients/import/${step}`).type("form").send({ _csrf: token, csv });
}

beforeAll(async () => {
  t = await createTestApp();
  creatorId = (await makeUser(t.db, { role: "admin", name: "Creator" })).id;
});
afterAll(async () => t.close());

describe("exporting the client list as CSV", () => {
  it("exports the filtered list with a header row as a dated, uncached attachment", async () => {
    await makeClient({ name: "Filter Alpha Ltd", status: "active" });
    await makeClient({ name: "Filter Beta Ltd", status: "on_hold" });
    await makeClient({ name: "Other Gamma Ltd", status: "on_hold" });
    const { agent } = await login();
    const { res, header, rows } = await exportOf(agent, "?status=on_hold&q=filter");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers["content-disposition"]).toMatch(/^attachment; filename="clients-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(header.slice(0, 4)).toEqual(["clientCode", "name", "clientType", "status"]);
    expect(rows.map((r) => r.name)).toEqual(["Filter Beta Ltd"]);
    const all = await exportOf(agent, "?q=filter");
    expect(all.rows.map((r) => r.name)).toEqual(["Filter Alpha Ltd", "Filter Beta Ltd"]);
  });

  it("leaves a restricted client out for staff outside its team, and includes it for its account manager and for viewers of confidential clients", async () => {
    const manager = await login({ name: "Restricted Manager" });
    const secret = await makeClient({ name: "Restricted Holdings", isConfidential: true, accountManagerId: manager.user.id });
    const teamMember = await login();
    await t.db.clientTeamMember.create({ data: { clientId: secret.id, userId: teamMember.user.id } });
    const outsider = await login({ role: "admin" });
    const viewer = await login({ viewConfidential: true });

    expect((await exportOf(outsider.agent, "?q=restricted")).rows).toEqual([]);
    expect((await exportOf(outsider.agent)).text).not.toContain("Restricted Holdings");
    for (const who of [manager, teamMember, viewer]) {
      const { rows } = await exportOf(who.agent, "?q=restricted");
      expect(rows.map((r) => r.name)).toEqual(["Restricted Holdings"]);
      expect(rows[0]!.restricted).toBe("yes");
    }

    const events = await t.db.auditEvent.findMany({ where: { action: "client.export", actorId: manager.user.id } });
    expect(events).toHaveLength(1);
    const changes = events[0]!.changes as Record<string, { after: unknown }>;
    expect(changes.filters!.after).toEqual({ q: "restricted" });
    expect(changes.rows!.after).toBe(1);
    expect(changes.restrictedClientIds!.after).toEqual([secret.id]);
    const outsiderEvents = await t.db.auditEvent.findMany({ where: { action: "client.export", actorId: outsider.user.id } });
    expect(outsiderEvents.map((e) => (e.changes as Record<string, { after: unknown }>).restrictedClientIds!.after)).toEqual([[], []]);
  });

  it("has the internal assessment columns only for the relationship team", async () => {
    await makeClient({ name: "Assessed Partners", priority: "strategic", relationshipStrength: "at_risk", relationshipNotes: "Board is unhappy with fees" });
    const insider = await login({ relationshipTeam: true });
    const other = await login({ role: "admin", viewConfidential: true });

    const inside = await exportOf(insider.agent, "?q=assessed");
    expect(inside.header).toEqual(expect.arrayContaining(["relationshipStrength", "priority", "relationshipStatus", "relationshipNotes"]));
    expect(inside.rows[0]).toMatchObject({ priority: "strategic", relationshipStrength: "at_risk", relationshipNotes: "Board is unhappy with fees" });

    const outside = await exportOf(other.agent, "?q=assessed");
    expect(outside.rows.map((r) => r.name)).toEqual(["Assessed Partners"]);
    for (const column of ["relationshipStrength", "priority", "relationshipStatus", "relationshipNotes"]) expect(outside.header).not.toContain(column);
    expect(outside.text).not.toContain("Board is unhappy");
    expect(outside.text).not.toContain("strategic");
    // An assessment filter is ignored for others, so it cannot be used to probe the values.
    expect((await exportOf(other.agent, "?q=assessed&priority=low")).rows).toHaveLength(1);
    expect((await exportOf(insider.agent, "?q=assessed&priority=low")).rows).toHaveLength(0);
  });

  it("neutralises cells a spreadsheet would run as formulas", async () => {
    await makeClient({ name: "=HYPERLINK(\"http://evil.example\",\"Click\")", notes: "+1+cmd|' /C calc'!A0", city: "@SUM(A1:A9)", referralSource: "-2+3", industry: "\tTabbed", state: "\rCarriage" });
    const { agent } = await login();
    const { rows, text } = await exportOf(agent, "?q=hyperlink");
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row.name).toBe("'=HYPERLINK(\"http://evil.example\",\"Click\")");
    expect(row.notes).toBe("'+1+cmd|' /C calc'!A0");
    expect(row.city).toBe("'@SUM(A1:A9)");
    expect(row.referralSource).toBe("'-2+3");
    expect(row.industry).toBe("'\tTabbed");
    expect(row.state).toBe("'\rCarriage");
    for (const line of text.split(/\r\n/)) expect(line).not.toMatch(/(^|,)"?[=+@-]/);
  });

  it("exports the SSN masked and keeps a privileged client's notes to its team", async () => {
    const manager = await login();
    await makeClient({ name: "Privileged Person", clientType: "individual", ssnLast4: "1234", dateOfBirth: new Date("1980-04-12"), dataClassification: "privileged", notes: "Settlement strategy", accountManagerId: manager.user.id });
    const viewer = await login({ viewConfidential: true });
    const seen = (await exportOf(viewer.agent, "?q=privileged+person")).rows[0]!;
    expect(seen.ssnLast4).toBe("***-**-1234");
    expect(seen.dateOfBirth).toBe("1980-04-12");
    expect(seen.notes).toBe("[Privileged: visible to the client's team only]");
    const own = (await exportOf(manager.agent, "?q=privileged+person")).rows[0]!;
    expect(own.notes).toBe("Settlement strategy");
    expect(own.ssnLast4).toBe("***-**-1234");
  });

  it("streams large lists completely", async () => {
    const many = Array.from({ length: 1200 }, (_, i) => ({ clientCode: `CLT-2002-${String(i + 1).padStart(4, "0")}`, name: `Bulk Export ${String(i).padStart(4, "0")}`, clientType: "organization" as const, createdById: creatorId }));
    await t.db.client.createMany({ data: many });
    const { agent } = await login();
    const { rows } = await exportOf(agent, "?q=bulk+export&sort=name");
    expect(rows).toHaveLength(1200);
    expect(rows[0]!.name).toBe("Bulk Export 0000");
    expect(rows.at(-1)!.name).toBe("Bulk Export 1199");
  });
});

describe("importing clients from CSV", () => {
  it("is for managers and administrators: staff get 403 on every step", async () => {
    const staff = await login();
    expect((await staff.agent.get("/clients/import")).status).toBe(403);
    const token = await csrfToken(staff.agent, "/clients");
    const before = await t.db.client.count();
    for (const step of ["preview", "commit"]) {
      const res = await staff.agent.post(`/clients/import/${step}`).type("form").send({ _csrf: token, csv: "name,clientType\nSneaky,organization" });
      expect(res.status).toBe(403);
    }
    expect(await t.db.client.count()).toBe(before);
  });

  it("previews a valid file without writing, then creates every row in one go with sequential codes and audit events", async () => {
    const manager = await login({ role: "manager" });
    const am = await makeUser(t.db, { name: "Amy Account" });
    const category = await t.db.clientCategory.create({ data: { name: "Key accounts" } });
    const page = await manager.agent.get("/clients/import");
    expect(page.status).toBe(200);
    expect(page.text).toContain("accountManagerEmail");
    const csv = [
      "name,clientType,email,phone,category,accountManagerEmail,status,dateOfBirth,ssnLast4,notes",
      `Imported Org One,organization,one@imported.example,+1 555 0100,key ACCOUNTS,${am.email.toUpperCase()},active,,,"Line one\nline two, with comma"`,
      "Imported Person Two,Individual,two@imported.example,,,,On hold,1980-04-12,***-**-4321,",
      "",
      "Imported Org Three,organization,,,,,,,,\"He said \"\"hi\"\"\"",
    ].join("\r\n");
    const before = await t.db.client.count();

    const preview = await importPost(manager.agent, "preview", csv);
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('data-ready-count="3"');
    expect(preview.text).toContain("Will be created");
    expect(await t.db.client.count()).toBe(before);

    const commit = await importPost(manager.agent, "commit", csv);
    expect(commit.status).toBe(302);
    expect(await t.db.client.count()).toBe(before + 3);
    const created = await t.db.client.findMany({ where: { name: { startsWith: "Imported " } }, orderBy: { clientCode: "asc" } });
    expect(created.map((c) => c.name)).toEqual(["Imported Org One", "Imported Person Two", "Imported Org Three"]);
    const numbers = created.map((c) => Number(/^CLT-\d{4}-(\d{4,})$/.exec(c.clientCode)![1]));
    expect(numbers).toEqual([numbers[0], numbers[0]! + 1, numbers[0]! + 2]);
    expect(created[0]).toMatchObject({ categoryId: category.id, accountManagerId: am.id, notes: "Line one\nline two, with comma", isConfidential: false });
    expect(created[1]).toMatchObject({ clientType: "individual", status: "on_hold", ssnLast4: "4321" });
    expect(created[2]!.notes).toBe('He said "hi"');

    const perClient = await t.db.auditEvent.findMany({ where: { action: "client.import", actorId: manager.user.id } });
    expect(perClient.map((e) => e.entityId).sort()).toEqual(created.map((c) => c.id).sort());
    const batch = await t.db.auditEvent.findMany({ where: { action: "client.import_batch", actorId: manager.user.id } });
    expect(batch).toHaveLength(1);
    expect(batch[0]!.changes).toMatchObject({ rows: { after: 3 }, firstClientCode: { after: created[0]!.clientCode }, lastClientCode: { after: created[2]!.clientCode } });

    const list = await manager.agent.get(commit.headers.location!);
    expect(list.text).toContain("Imported 3 clients");
  });

  it("shows row-level errors for a bad row and writes nothing, not even the good rows", async () => {
    const manager = await login({ role: "manager" });
    const csv = [
      "name,clientType,email,dateOfBirth,taxId,category,accountManagerEmail,status",
      "Fine Row Ltd,organization,fine@example.com,,,,,",
      "Broken Row Ltd,organization,not-an-email,,,No Such Category,nobody@nowhere.example,inactive",
      "Another Fine Row,individual,,1990-01-01,99-999,,,",
    ].join("\n");
    const before = await t.db.client.count();
    const auditBefore = await t.db.auditEvent.count({ where: { action: { in: ["client.import", "client.import_batch"] } } });

    const preview = await importPost(manager.agent, "preview", csv);
    expect(preview.status).toBe(422);
    const errors = [...decoded(preview.text).matchAll(/<tr><td>(\d+)<\/td><td class="code">([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => [Number(m[1]), m[2], m[3]]);
    expect(errors).toEqual(
      expect.arrayContaining([
        [3, "email", "Enter a valid email address, like name@example.com."],
        [3, "category", expect.stringContaining('There is no category named "No Such Category"')],
        [3, "accountManagerEmail", "No active user has this email address."],
        [4, "taxId", "Only organizations have a tax id; individuals use the SSN field."],
      ]),
    );
    expect(preview.text).not.toContain("data-ready-count");
    expect(preview.text).not.toContain('action="/clients/import/commit"');

    const commit = await importPost(manager.agent, "commit", csv);
    expect(commit.status).toBe(422);
    expect(commit.text).toContain("Nothing was imported.");
    expect(await t.db.client.count()).toBe(before);
    expect(await t.db.auditEvent.count({ where: { action: { in: ["client.import", "client.import_batch"] } } })).toBe(auditBefore);
  });

  it("refuses a status of inactive, wrong column counts, unknown columns and unreadable CSV with clear messages", async () => {
    const manager = await login({ role: "manager" });
    const inactive = await importPost(manager.agent, "preview", "name,clientType,status\nSleepy Ltd,organization,inactive");
    expect(inactive.status).toBe(422);
    expect(inactive.text).toContain("A new client cannot start inactive");
    const columns = await importPost(manager.agent, "preview", "name,clientType\nToo,organization,extra\nFew");
    expect(columns.status).toBe(422);
    expect(columns.text).toContain("This row has 3 values but the header has 2 columns");
    expect(columns.text).toContain("This row has 1 value but the header has 2 columns");
    const unknown = await importPost(manager.agent, "preview", "name,clientType,favouriteColour\nX,organization,blue");
    expect(unknown.status).toBe(422);
    expect(decoded(unknown.text)).toContain('a column this import does not know: "favouriteColour"');
    const missing = await importPost(manager.agent, "preview", "email\nx@example.com");
    expect(missing.text).toContain("must name the columns name and clientType");
    const unclosed = await importPost(manager.agent, "preview", 'name,clientType\n"Open quote,organization\n');
    expect(unclosed.status).toBe(422);
    expect(unclosed.text).toContain("A quoted value is never closed");
    const empty = await importPost(manager.agent, "preview", "name,clientType\n");
    expect(empty.text).toContain("no clients");
  });

  it("reads semicolon-separated files, as spreadsheets in some locales save them", async () => {
    const manager = await login({ role: "manager" });
    const csv = "Name;Client type;City\nSemicolon Works GmbH;organization;Köln, Altstadt";
    const preview = await importPost(manager.agent, "preview", csv);
    expect(preview.status).toBe(200);
    expect((await importPost(manager.agent, "commit", csv)).status).toBe(302);
    expect(await t.db.client.findFirstOrThrow({ where: { name: "Semicolon Works GmbH" } })).toMatchObject({ city: "Köln, Altstadt" });
  });

  it("refuses more than 5,000 rows with a clear message", async () => {
    const manager = await login({ role: "manager" });
    const csv = ["name,clientType", ...Array.from({ length: 5001 }, (_, i) => `Many ${i},organization`)].join("\n");
    const before = await t.db.client.count();
    const preview = await importPost(manager.agent, "preview", csv);
    expect(preview.status).toBe(422);
    expect(preview.text).toContain("This file has 5,001 clients; one import takes at most 5,000.");
    expect((await importPost(manager.agent, "commit", csv)).status).toBe(422);
    expect(await t.db.client.count()).toBe(before);
  });

  it("warns about duplicates within the file and similar existing clients, never naming a client the importer may not see", async () => {
    const am = await makeUser(t.db);
    await makeClient({ name: "Duplicate Dynamics Inc" });
    await makeClient({ name: "Hidden Harbour Holdings", isConfidential: true, accountManagerId: am.id });
    const manager = await login({ role: "manager" });
    const csv = "name,clientType,email\nDuplicate Dynamics Inc.,organization,a@dup.example\nHidden Harbour Holdings,organization,a@dup.example\nhidden harbour holdings,organization,";
    const preview = await importPost(manager.agent, "preview", csv);
    expect(preview.status).toBe(200);
    expect(preview.text).toContain("Similar to existing client Duplicate Dynamics Inc");
    expect(preview.text).toContain("Same email as row 2.");
    expect(preview.text).toContain("Same name as row 3.");
    expect(preview.text).not.toMatch(/Similar to existing client Hidden Harbour/);
    expect(preview.text).toContain('data-ready-count="3"');
  });

  it("imports a file exported from Clientdesk as it is", async () => {
    const manager = await login({ role: "manager" });
    await makeClient({ name: "Roundtrip Person", clientType: "individual", ssnLast4: "9876", phone: "+44 20 7946 0000", notes: "=not a formula" });
    const { text } = await exportOf(manager.agent, "?q=roundtrip");
    const preview = await importPost(manager.agent, "preview", text);
    expect(preview.status).toBe(200);
    expect(preview.text).toContain("These columns are not imported and were ignored: clientCode");
    const before = await t.db.client.count();
    expect((await importPost(manager.agent, "commit", text)).status).toBe(302);
    const copies = await t.db.client.findMany({ where: { name: "Roundtrip Person" }, orderBy: { createdAt: "asc" } });
    expect(await t.db.client.count()).toBe(before + 1);
    expect(copies[1]).toMatchObject({ ssnLast4: "9876", phone: "+44 20 7946 0000", notes: "=not a formula" });
  });
});
