// Who may see a client (DOMAIN.md, "Who may see a record"): a restricted client exists only for its team and for
// holders of "view confidential"; for everyone else, admins included, it is the same 404 as a missing one and is
// absent from lists, search, counts, autocomplete, duplicate warnings and the by-point-of-contact page. The internal
// assessment is for the relationship team only. Role rules, confidentiality fields and the audit trail, over HTTP.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { csrfToken, postForm, signedIn, type Agent } from "../helpers/http.ts";
import { formFields, listedIds, mainContent, makeClient, statusCount } from "./support.ts";

type Who = "admin" | "manager" | "accountManager" | "primaryPoc" | "secondaryPoc" | "teamMember" | "offTeam" | "viewConfidential" | "relationshipTeam";
const EVERYONE: Who[] = ["admin", "manager", "accountManager", "primaryPoc", "secondaryPoc", "teamMember", "offTeam", "viewConfidential", "relationshipTeam"];
/** Who may know the restricted client exists: its team and view-confidential holders. Not admins, not managers. */
const SEES_RESTRICTED = new Set<Who>(["accountManager", "primaryPoc", "secondaryPoc", "teamMember", "viewConfidential"]);

const R_NAME = "Zebulon Restricted Holdings";
const R_CODE = "CLT-2019-0777";
const R_EMAIL = "office@zebulon-holdings.test";
const O_NAME = "Ordinary Widgets Ltd";
const O_CODE = "CLT-2019-0778";
/** The ordinary client's internal assessment: what only the relationship team may see. */
const O_NOTES = "Okapi assessment memo 5521";
const R_NOTES = "Narwhal restricted memo 8812";
const ASSESSMENT_MARKERS = [/Okapi assessment memo/i, /Narwhal restricted memo/i, /strategic/i, /at risk/i, /at_risk/i, /\bcold\b/i, /opportunistic/i, /prospective/i, /needs.attention/i, /Internal assessment/i, /name="priority"/, /name="relationshipNotes"/, /name="relationshipStrength"/, /name="relationshipStatus"/];

let t: TestApp;
const users = {} as Record<Who, { id: string; email: string; name: string }>;
const agents = {} as Record<Who, Agent>;
let restricted: { id: string };
let ordinary: { id: string };
/** A contact at the restricted client, and one at the ordinary client. */
let secretContact: { id: string };
let plainContact: { id: string };
const SECRET_CONTACT = "Yolanda Secretcontact";

// Routes other parts of the app are adding: tested as soon as src/app.ts or the clients router mounts them.
const APP_SOURCE = ["../../src/app.ts", "../../src/clients/routes.ts"].map((f) => readFileSync(new URL(f, import.meta.url), "utf8")).join("\n");
const EXPORT_MOUNTED = APP_SOURCE.includes("clientTransferRoutes(");
const BULK_MOUNTED = APP_SOURCE.includes("clientBulkRoutes(");
const CONTACTS_MOUNTED = APP_SOURCE.includes("contactRoutes(");
const LOGO_MOUNTED = APP_SOURCE.includes("logoRoutes(");

beforeAll(async () => {
  t = await createTestApp();
  const spec: Record<Who, Parameters<typeof makeUser>[1]> = {
    admin: { role: "admin", name: "Ada Admin" },
    manager: { role: "manager", name: "Max Manager" },
    accountManager: { name: "Amos Accountmgr" },
    primaryPoc: { name: "Pia Primary" },
    secondaryPoc: { name: "Sid Secondary" },
    teamMember: { name: "Tom Teammate" },
    offTeam: { name: "Olga Offteam" },
    viewConfidential: { name: "Vera Viewconf", viewConfidential: true },
    relationshipTeam: { name: "Rita Relteam", relationshipTeam: true },
  };
  for (const who of EVERYONE) users[who] = await makeUser(t.db, spec[who]);
  restricted = await makeClient(t.db, users.admin.id, {
    name: R_NAME,
    clientCode: R_CODE,
    email: R_EMAIL,
    isConfidential: true,
    dataClassification: "confidential",
    accountManagerId: users.accountManager.id,
    primaryPocId: users.primaryPoc.id,
    secondaryPocId: users.secondaryPoc.id,
    teamUserIds: [users.teamMember.id],
    relationshipStrength: "needs_attention",
    relationshipNotes: R_NOTES,
    priority: "opportunistic",
    relationshipStatus: "prospective",
  });
  ordinary = await makeClient(t.db, users.admin.id, {
    name: O_NAME,
    clientCode: O_CODE,
    primaryPocId: users.offTeam.id,
    relationshipStrength: "at_risk",
    relationshipNotes: O_NOTES,
    priority: "strategic",
    relationshipStatus: "cold",
  });
  secretContact = await t.db.contact.create({ data: { clientId: restricted.id, name: SECRET_CONTACT, email: "yolanda@zebulon-holdings.test" } });
  plainContact = await t.db.contact.create({ data: { clientId: ordinary.id, name: "Oscar Plaincontact" } });
  for (const who of EVERYONE) agents[who] = await signedIn(t.app, users[who].email);
});
afterAll(async () => t.close());

/** The page says nothing of the restricted client (the text of `echo`, the user's own query, aside). */
function expectNoTraceOfRestricted(text: string, echo?: string) {
  const scrubbed = echo ? text.split(echo).join("").split(encodeURIComponent(echo)).join("").split(echo.replace(/ /g, "+")).join("") : text;
  expect(scrubbed).not.toContain(R_NAME);
  expect(scrubbed).not.toContain(R_CODE);
  expect(scrubbed).not.toContain(restricted.id);
  expect(scrubbed).not.toContain("zebulon-holdings");
  expect(scrubbed).not.toMatch(/Narwhal/);
  expect(scrubbed).not.toContain(SECRET_CONTACT);
  expect(scrubbed).not.toContain(secretContact.id);
}

function expectRestrictedShown(text: string) {
  expect(text).toContain(R_NAME);
  expect(text).toContain(R_CODE);
}

function expectNoAssessment(text: string) {
  for (const marker of ASSESSMENT_MARKERS) expect(text, `assessment marker ${marker} on the page`).not.toMatch(marker);
}

/** The current stored row, for "nothing changed" checks. */
async function stored(id: string) {
  return t.db.client.findUnique({ where: { id }, include: { team: { select: { userId: true } } } });
}

/** The body an edit form would post for a client, built from the database (for users who cannot load the form). */
async function editBodyFromDb(id: string, changes: Record<string, string> = {}) {
  const c = await t.db.client.findUniqueOrThrow({ where: { id }, include: { team: true } });
  return {
    name: c.name,
    clientType: c.clientType,
    status: c.status,
    email: c.email ?? "",
    dataClassification: c.dataClassification,
    isConfidential: c.isConfidential ? "on" : "",
    accountManagerId: c.accountManagerId ?? "",
    primaryPocId: c.primaryPocId ?? "",
    secondaryPocId: c.secondaryPocId ?? "",
    teamUserIds: c.team.map((m) => m.userId),
    updatedAt: c.updatedAt.toISOString(),
    ...changes,
  };
}

const MISSING = [randomUUID(), "abc", "123"];

describe.each(EVERYONE)("as %s", (who) => {
  const sees = SEES_RESTRICTED.has(who);
  const agent = () => agents[who];

  it(`${sees ? "finds" : "never finds"} the restricted client in the list, search, misspelled search and code search`, async () => {
    const list = await agent().get("/clients");
    expect(list.status).toBe(200);
    expect(list.text).toContain(O_NAME);
    expect(listedIds(list.text)).toContain(ordinary.id);
    if (sees) {
      expectRestrictedShown(list.text);
      expect(listedIds(list.text)).toContain(restricted.id);
    } else {
      expectNoTraceOfRestricted(list.text);
      expect(listedIds(list.text)).not.toContain(restricted.id);
    }
    for (const q of ["zebulon", "restricted holdings", "Zebulon Restrcted Holdngs", "zebulon-holdings", R_CODE]) {
      const res = await agent().get("/clients").query({ q });
      expect(res.status, q).toBe(200);
      if (sees) {
        expect(listedIds(res.text), `search "${q}"`).toContain(restricted.id);
        expectRestrictedShown(res.text);
      } else {
        expect(listedIds(res.text), `search "${q}"`).not.toContain(restricted.id);
        expectNoTraceOfRestricted(res.text, q);
      }
    }
  });

  it(`${sees ? "counts" : "does not count"} the restricted client in the status counts`, async () => {
    for (const path of ["/clients", "/clients?status=active"]) {
      const res = await agent().get(path);
      expect(res.status).toBe(200);
      expect(statusCount(res.text, "Active")).toBe(sees ? 2 : 1);
      const total = /result-count" role="status">(\d+)/.exec(res.text)?.[1];
      expect(Number(total)).toBe(sees ? 2 : 1);
    }
    // The same page for an off-team colleague and an on-team one differs by exactly the hidden client.
    const off = statusCount((await agents.offTeam.get("/clients?status=active")).text, "Active");
    const on = statusCount((await agents.teamMember.get("/clients?status=active")).text, "Active");
    expect(on - off).toBe(1);
  });

  it(`${sees ? "opens" : "gets the not-found page for"} the restricted client's page, edit form and delete page`, async () => {
    for (const suffix of ["", "/edit", "/delete"]) {
      const res = await agent().get(`/clients/${restricted.id}${suffix}`);
      if (sees) {
        // Deleting is for admins only: a visible client's delete page is refused, not hidden.
        expect(res.status, suffix).toBe(suffix === "/delete" ? 403 : 200);
        if (suffix !== "/delete") expect(res.text).toContain(R_NAME);
        continue;
      }
      expect(res.status, `GET /clients/:id${suffix}`).toBe(404);
      expect(res.text).toContain("Page not found");
      expectNoTraceOfRestricted(res.text);
      for (const other of MISSING) {
        const missing = await agent().get(`/clients/${other}${suffix}`);
        expect(missing.status, `GET /clients/${other}${suffix}`).toBe(404);
        expect(mainContent(missing.text)).toBe(mainContent(res.text));
      }
    }
    // The ordinary client is there for everyone.
    const plain = await agent().get(`/clients/${ordinary.id}`);
    expect(plain.status).toBe(200);
    expect(plain.text).toContain(O_NAME);
    expect(plain.text).toContain(O_CODE);
  });

  it(`${sees ? "may edit but not deactivate, reactivate or delete" : "cannot change"} the restricted client`, async () => {
    const before = await stored(restricted.id);
    if (sees) {
      const form = await agent().get(`/clients/${restricted.id}/edit`);
      const fields = formFields(form.text);
      const res = await agent().post(`/clients/${restricted.id}`).type("form").send({ ...fields, notes: `Edited by ${who}` });
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe(`/clients/${restricted.id}`);
      const after = await stored(restricted.id);
      expect(after!.notes).toBe(`Edited by ${who}`);
      // Saving the form as shown keeps who may see it, its team and its (unseen) assessment.
      expect(after!.isConfidential).toBe(true);
      expect(after!.accountManagerId).toBe(users.accountManager.id);
      expect(after!.primaryPocId).toBe(users.primaryPoc.id);
      expect(after!.secondaryPocId).toBe(users.secondaryPoc.id);
      expect(after!.team.map((m) => m.userId)).toEqual([users.teamMember.id]);
      expect(after!.relationshipNotes).toBe(R_NOTES);
      expect(after!.priority).toBe("opportunistic");
      for (const action of ["deactivate", "reactivate"]) {
        const refused = await postForm(agent(), `/clients/${restricted.id}`, `/clients/${restricted.id}/${action}`, { reason: "Testing the rules" });
        expect(refused.status, action).toBe(403);
      }
      const del = await postForm(agent(), `/clients/${restricted.id}`, `/clients/${restricted.id}/delete`, {});
      expect(del.status).toBe(403);
      const end = await stored(restricted.id);
      expect(end!.status).toBe("active");
      expect(end!.deactivatedAt).toBeNull();
      return;
    }
    const token = await csrfToken(agent(), "/clients");
    const attempts: [string, Record<string, unknown>][] = [
      ["", await editBodyFromDb(restricted.id, { name: "Renamed By Intruder", notes: "intruder" })],
      ["/deactivate", { reason: "Testing the rules" }],
      ["/reactivate", { reason: "Testing the rules" }],
      ["/delete", {}],
    ];
    for (const [suffix, body] of attempts) {
      const res = await agent().post(`/clients/${restricted.id}${suffix}`).type("form").send({ _csrf: token, ...body });
      expect(res.status, `POST /clients/:id${suffix}`).toBe(404);
      expectNoTraceOfRestricted(res.text);
      for (const other of MISSING) {
        const missing = await agent().post(`/clients/${other}${suffix}`).type("form").send({ _csrf: token, ...body });
        expect(missing.status, `POST /clients/${other}${suffix}`).toBe(404);
        expect(mainContent(missing.text)).toBe(mainContent(res.text));
      }
    }
    const after = await stored(restricted.id);
    expect(after).toEqual(before);
  });

  it(`${sees ? "gets" : "never gets"} the restricted client from autocomplete`, async () => {
    for (const q of ["zebulon", "Zebulon Restricted", R_CODE, "zebulon-holdings", "ordinary"]) {
      const res = await agent().get("/clients/autocomplete").query({ q });
      expect(res.status).toBe(200);
      const ids = (res.body as { results: { id: string }[] }).results.map((r) => r.id);
      if (q === "ordinary") expect(ids).toContain(ordinary.id);
      else if (sees) expect(ids, q).toContain(restricted.id);
      else {
        expect(ids, q).not.toContain(restricted.id);
        expectNoTraceOfRestricted(res.text);
      }
    }
  });

  it(`${sees ? "sees" : "does not see"} the restricted client on the by-point-of-contact page`, async () => {
    const res = await agent().get("/clients/by-point-of-contact");
    expect(res.status).toBe(200);
    expect(res.text).toContain(O_NAME);
    if (sees) expect(res.text).toContain(R_NAME);
    else expectNoTraceOfRestricted(res.text);
  });

  it.skipIf(!CONTACTS_MOUNTED)(`${sees ? "reaches" : "gets the not-found page for"} the restricted client's contacts, and never reaches them through another client`, async () => {
    const R = `/clients/${restricted.id}/contacts`;
    const C = `${R}/${secretContact.id}`;
    if (sees) {
      expect((await agent().get(`/clients/${restricted.id}`)).text).toContain(SECRET_CONTACT);
      const edit = await agent().get(`${C}/edit`);
      expect(edit.status).toBe(200);
      expect(edit.text).toContain(SECRET_CONTACT);
      expect((await agent().get(`${R}/new`)).status).toBe(200);
    }
    const contactsBefore = await t.db.contact.findMany({ orderBy: { id: "asc" } });
    const token = await csrfToken(agent(), "/clients");
    // Reaching the restricted client's contact through the ordinary client's URL is refused for everyone.
    const O = `/clients/${ordinary.id}/contacts/${secretContact.id}`;
    const everywhere: [string, string, Record<string, string>?][] = [
      ["get", `${O}/edit`],
      ["post", O, { name: "Renamed Through Other Client" }],
      ["post", `${O}/primary`, {}],
      ["post", `${O}/deactivate`, {}],
      ["get", `${O}/delete`],
      ["post", `${O}/delete`, { confirmed: "yes" }],
      // ... and the other way round: the ordinary client's contact under the restricted client's URL.
      ["get", `/clients/${restricted.id}/contacts/${plainContact.id}/edit`],
      ["post", `/clients/${restricted.id}/contacts/${plainContact.id}`, { name: "Renamed Through Other Client" }],
    ];
    const hiddenOnly: [string, string, Record<string, string>?][] = [
      ["get", `${R}/new`],
      ["post", R, { name: "Intruder Contact" }],
      ["get", `${C}/edit`],
      ["post", C, { name: "Renamed By Intruder" }],
      ["post", `${C}/primary`, {}],
      ["post", `${C}/deactivate`, {}],
      ["post", `${C}/reactivate`, {}],
      ["get", `${C}/delete`],
      ["post", `${C}/delete`, { confirmed: "yes" }],
    ];
    for (const [method, path, body] of sees ? everywhere : [...everywhere, ...hiddenOnly]) {
      const res = method === "get" ? await agent().get(path) : await agent().post(path).type("form").send({ _csrf: token, ...body });
      expect(res.status, `${method.toUpperCase()} ${path}`).toBe(404);
      expectNoTraceOfRestricted(res.text);
      const missingPath = path.replace(restricted.id, randomUUID()).replace(secretContact.id, randomUUID());
      const missing = method === "get" ? await agent().get(missingPath) : await agent().post(missingPath).type("form").send({ _csrf: token, ...body });
      expect(missing.status, `${method.toUpperCase()} ${missingPath}`).toBe(404);
      expect(mainContent(missing.text)).toBe(mainContent(res.text));
    }
    if (!sees) {
      // The bare contact URLs only redirect to the client page, which is the not-found page.
      for (const path of [R, C]) {
        const res = await agent().get(path);
        if (res.status === 302) expect((await agent().get(res.headers.location!)).status).toBe(404);
        else expect(res.status).toBe(404);
      }
    }
    expect(await t.db.contact.findMany({ orderBy: { id: "asc" } })).toEqual(contactsBefore);
  });

  if (!sees) it.skipIf(!LOGO_MOUNTED)("gets the not-found page for the restricted client's logo URLs", async () => {
    const token = await csrfToken(agent(), "/clients");
    const get = await agent().get(`/clients/${restricted.id}/logo`);
    expect(get.status).toBe(404);
    const remove = await agent().post(`/clients/${restricted.id}/logo/delete`).type("form").send({ _csrf: token });
    expect(remove.status).toBe(404);
    const png = Buffer.from("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f0e1b30000000049454e44ae426082", "hex");
    const upload = await agent().post(`/clients/${restricted.id}/logo`).field("_csrf", token).attach("logo", png, { filename: "logo.png", contentType: "image/png" });
    expect(upload.status).toBe(404);
    expectNoTraceOfRestricted(upload.text);
    expect((await stored(restricted.id))!.logoFile).toBeNull();
  });

  it.skipIf(!EXPORT_MOUNTED)(`${sees ? "exports" : "never exports"} the restricted client in CSV`, async () => {
    for (const path of ["/clients/export.csv", "/clients/export.csv?q=zebulon", "/clients/export.csv?status=active"]) {
      const res = await agent().get(path).buffer(true).parse((r, done) => {
        let data = "";
        r.setEncoding("utf8");
        r.on("data", (chunk: string) => (data += chunk));
        r.on("end", () => done(null, data));
      });
      expect(res.status, path).toBe(200);
      expect(res.headers["content-type"]).toMatch(/text\/csv/);
      const csv = res.body as string;
      if (!path.includes("q=")) expect(csv).toContain(O_NAME);
      if (sees) expectRestrictedShown(csv);
      else expectNoTraceOfRestricted(csv);
      if (who === "relationshipTeam") {
        if (!path.includes("q=")) expect(csv).toContain(O_NOTES);
      } else {
        expect(csv).not.toContain(O_NOTES);
        expect(csv).not.toContain(R_NOTES);
        expect(csv).not.toMatch(/strategic|opportunistic|at.risk/i);
      }
    }
  });

  it.skipIf(!BULK_MOUNTED)(`bulk update ${sees ? "" : "never "}reaches the restricted client`, async () => {
    const mayBulk = who === "admin" || who === "manager";
    const before = await stored(restricted.id);
    const page = await agent().get("/clients/bulk");
    expect(page.status).toBe(mayBulk ? 200 : 403);
    if (mayBulk) {
      expect(page.text).toContain(O_NAME);
      if (sees) expectRestrictedShown(page.text);
      else expectNoTraceOfRestricted(page.text);
    }
    const token = await csrfToken(agent(), "/clients");
    for (const ids of [[restricted.id], [restricted.id, ordinary.id]]) {
      const res = await agent().post("/clients/bulk/preview").type("form").send({ _csrf: token, ids, status: "on_hold" });
      if (!mayBulk) {
        expect(res.status).toBe(403);
        continue;
      }
      expect(res.status).toBeLessThan(500);
      const apply = await agent().post("/clients/bulk/apply").type("form").send({ _csrf: token, ids, status: "on_hold" });
      expect(apply.status).toBeLessThan(500);
      if (sees) continue;
      // The hidden id (which the user typed) is answered exactly like an id that exists nowhere.
      const ghost = randomUUID();
      const ghostIds = ids.map((id) => (id === restricted.id ? ghost : id));
      const ghostPreview = await agent().post("/clients/bulk/preview").type("form").send({ _csrf: token, ids: ghostIds, status: "on_hold" });
      const ghostApply = await agent().post("/clients/bulk/apply").type("form").send({ _csrf: token, ids: ghostIds, status: "on_hold" });
      for (const [real, fake] of [[res, ghostPreview], [apply, ghostApply]] as const) {
        expect(real.status).toBe(fake.status);
        expect(mainContent(real.text).split(restricted.id).join("ID")).toBe(mainContent(fake.text).split(ghost).join("ID"));
        expectNoTraceOfRestricted(real.text.split(restricted.id).join("ID"));
      }
    }
    const after = await stored(restricted.id);
    expect(after!.status).toBe(before!.status);
    expect(after!.updatedAt).toEqual(before!.updatedAt);
    // The ordinary client stays as it was too: one hidden id refuses the whole batch.
    expect((await stored(ordinary.id))!.status).toBe("active");
  });

  if (who === "relationshipTeam") {
    it("sees the internal assessment on the page, the edit form and the list, and filters by it", async () => {
      const show = await agent().get(`/clients/${ordinary.id}`);
      expect(show.text).toContain(O_NOTES);
      expect(show.text).toMatch(/<dd>At risk<\/dd>/);
      expect(show.text).toMatch(/<dd>Strategic<\/dd>/);
      expect(show.text).toMatch(/<dd>Cold<\/dd>/);
      const fields = formFields((await agent().get(`/clients/${ordinary.id}/edit`)).text);
      expect(fields).toMatchObject({ relationshipStrength: "at_risk", priority: "strategic", relationshipStatus: "cold", relationshipNotes: O_NOTES });
      const list = await agent().get("/clients");
      expect(list.text).toMatch(/<td>Strategic<\/td>/);
      expect(listedIds((await agent().get("/clients?priority=strategic")).text)).toContain(ordinary.id);
      expect(listedIds((await agent().get("/clients?priority=low")).text)).not.toContain(ordinary.id);
      expect(listedIds((await agent().get("/clients?relationship=cold")).text)).toContain(ordinary.id);
      expect(listedIds((await agent().get("/clients?relationship=warm")).text)).not.toContain(ordinary.id);
    });
  } else {
    it("sees no internal assessment anywhere, and assessment filters are ignored", async () => {
      const pages = [`/clients/${ordinary.id}`, `/clients/${ordinary.id}/edit`, "/clients", "/clients?q=ordinary", "/clients/by-point-of-contact"];
      if (sees) pages.push(`/clients/${restricted.id}`, `/clients/${restricted.id}/edit`);
      for (const page of pages) {
        const res = await agent().get(page);
        expect(res.status, page).toBe(200);
        expectNoAssessment(res.text);
      }
      for (const page of ["/clients?priority=low", "/clients?relationship=warm", "/clients?priority=strategic&relationship=cold"]) {
        const res = await agent().get(page);
        expect(listedIds(res.text), page).toContain(ordinary.id);
        expectNoAssessment(res.text.replace(/(priority|relationship)=\w+/g, ""));
      }
      const auto = await agent().get("/clients/autocomplete?q=ordinary");
      expectNoAssessment(auto.text);
    });
  }
});

describe("reads of a restricted client are audited", () => {
  const readsBy = (userId: string, clientId: string) => t.db.auditEvent.count({ where: { actorId: userId, action: "client.read_restricted", entityType: "client", entityId: clientId } });

  it("writes client.read_restricted for each read of its page or its edit form by someone who may see it", async () => {
    for (const who of SEES_RESTRICTED) {
      for (const suffix of ["", "/edit"]) {
        const before = await readsBy(users[who].id, restricted.id);
        const res = await agents[who].get(`/clients/${restricted.id}${suffix}`);
        expect(res.status).toBe(200);
        expect(await readsBy(users[who].id, restricted.id), `${who} GET ${suffix || "page"}`).toBe(before + 1);
      }
    }
    const row = await t.db.auditEvent.findFirstOrThrow({ where: { actorId: users.viewConfidential.id, action: "client.read_restricted" }, orderBy: { id: "desc" } });
    expect(row.entityId).toBe(restricted.id);
  });

  it("writes nothing for ordinary clients or for refused reads", async () => {
    const before = await t.db.auditEvent.count({ where: { action: "client.read_restricted" } });
    await agents.viewConfidential.get(`/clients/${ordinary.id}`);
    await agents.offTeam.get(`/clients/${restricted.id}`);
    await agents.admin.get(`/clients/${restricted.id}`);
    expect(await t.db.auditEvent.count({ where: { action: "client.read_restricted" } })).toBe(before);
  });
});

describe("role rules", () => {
  it("staff may not create clients: GET /clients/new and POST /clients are 403 and nothing is written", async () => {
    const before = await t.db.client.count();
    expect((await agents.offTeam.get("/clients/new")).status).toBe(403);
    const token = await csrfToken(agents.offTeam, "/clients");
    const res = await agents.offTeam.post("/clients").type("form").send({ _csrf: token, name: "Staff Made Client", clientType: "organization" });
    expect(res.status).toBe(403);
    expect(await t.db.client.count()).toBe(before);
    const list = await agents.offTeam.get("/clients");
    expect(list.text).not.toContain('href="/clients/new"');
  });

  it("managers and admins create clients", async () => {
    for (const who of ["manager", "admin"] as const) {
      expect((await agents[who].get("/clients/new")).status).toBe(200);
      const res = await postForm(agents[who], "/clients/new", "/clients", { name: `Created By ${who} Quillfeather`, clientType: "organization", confirmDuplicates: "on" });
      expect(res.status, who).toBe(302);
      const created = await t.db.client.findFirstOrThrow({ where: { name: `Created By ${who} Quillfeather` } });
      expect(created.createdById).toBe(users[who].id);
    }
  });

  it("staff may edit a client they can see", async () => {
    const fields = formFields((await agents.offTeam.get(`/clients/${ordinary.id}/edit`)).text);
    const res = await agents.offTeam.post(`/clients/${ordinary.id}`).type("form").send({ ...fields, city: "Staffton" });
    expect(res.status).toBe(302);
    expect((await stored(ordinary.id))!.city).toBe("Staffton");
  });

  it("only admins deactivate, reactivate and delete: staff and managers get 403 on a visible client and nothing changes", async () => {
    const target = await makeClient(t.db, users.admin.id, { name: "Rolecheck Marmoset Partners" });
    const before = await stored(target.id);
    for (const who of ["offTeam", "manager", "relationshipTeam", "viewConfidential"] as const) {
      const page = `/clients/${target.id}`;
      const show = await agents[who].get(page);
      expect(show.text).not.toContain(`action="/clients/${target.id}/deactivate"`);
      expect(show.text).not.toContain(`href="/clients/${target.id}/delete"`);
      for (const action of ["deactivate", "reactivate"]) {
        const res = await postForm(agents[who], page, `/clients/${target.id}/${action}`, { reason: "Because" });
        expect(res.status, `${who} ${action}`).toBe(403);
      }
      expect((await agents[who].get(`/clients/${target.id}/delete`)).status, `${who} delete page`).toBe(403);
      expect((await postForm(agents[who], page, `/clients/${target.id}/delete`, {})).status, `${who} delete`).toBe(403);
    }
    expect(await stored(target.id)).toEqual(before);

    const page = `/clients/${target.id}`;
    expect((await postForm(agents.admin, page, `/clients/${target.id}/deactivate`, { reason: "Engagement ended" })).status).toBe(302);
    expect((await stored(target.id))!.status).toBe("inactive");
    expect((await postForm(agents.admin, page, `/clients/${target.id}/reactivate`, { reason: "Came back" })).status).toBe(302);
    expect((await stored(target.id))!.status).toBe("active");
    expect((await agents.admin.get(`/clients/${target.id}/delete`)).status).toBe(200);
    const del = await postForm(agents.admin, `/clients/${target.id}/delete`, `/clients/${target.id}/delete`, {});
    expect(del.status).toBe(302);
    expect(del.headers.location).toBe("/clients");
    expect(await stored(target.id)).toBeNull();
  });
});

describe("who may change confidentiality", () => {
  it("staff posting isConfidential and dataClassification have them ignored, on an ordinary and on a restricted client", async () => {
    const plain = await makeClient(t.db, users.admin.id, { name: "Confcheck Ibex Ventures", dataClassification: "public", accountManagerId: users.offTeam.id });
    const fields = formFields((await agents.offTeam.get(`/clients/${plain.id}/edit`)).text);
    expect(fields).not.toHaveProperty("isConfidential");
    expect(fields).not.toHaveProperty("dataClassification");
    const res = await agents.offTeam.post(`/clients/${plain.id}`).type("form").send({ ...fields, isConfidential: "on", dataClassification: "privileged", notes: "staff edit" });
    expect(res.status).toBe(302);
    let row = await stored(plain.id);
    expect(row!.notes).toBe("staff edit");
    expect(row!.isConfidential).toBe(false);
    expect(row!.dataClassification).toBe("public");

    // A team member of a restricted client cannot lift the restriction by leaving the box unticked or posting "".
    const rFields = formFields((await agents.teamMember.get(`/clients/${restricted.id}/edit`)).text);
    const lifted = await agents.teamMember.post(`/clients/${restricted.id}`).type("form").send({ ...rFields, isConfidential: "", dataClassification: "public", notes: "team edit" });
    expect(lifted.status).toBe(302);
    row = await stored(restricted.id);
    expect(row!.notes).toBe("team edit");
    expect(row!.isConfidential).toBe(true);
    expect(row!.dataClassification).toBe("confidential");
    // Still hidden from an off-team colleague.
    expect((await agents.offTeam.get(`/clients/${restricted.id}`)).status).toBe(404);
  });

  it("a non-relationship user's edit neither wipes nor changes the stored assessment, even when posting assessment fields", async () => {
    for (const who of ["offTeam", "admin", "manager"] as const) {
      const fields = formFields((await agents[who].get(`/clients/${ordinary.id}/edit`)).text);
      const res = await agents[who].post(`/clients/${ordinary.id}`).type("form").send({ ...fields, referralSource: `via ${who}`, priority: "low", relationshipStatus: "warm", relationshipStrength: "strong", relationshipNotes: "overwritten" });
      expect(res.status, who).toBe(302);
      const row = await stored(ordinary.id);
      expect(row!.referralSource).toBe(`via ${who}`);
      expect(row).toMatchObject({ relationshipStrength: "at_risk", relationshipNotes: O_NOTES, priority: "strategic", relationshipStatus: "cold" });
    }
    // Nor does the audit trail of those edits carry the assessment to people who may read the log.
    const events = await t.db.auditEvent.findMany({ where: { action: "client.update", entityId: ordinary.id } });
    for (const e of events) for (const f of ["relationshipStrength", "relationshipNotes", "priority", "relationshipStatus"]) expect(e.changes ?? {}).not.toHaveProperty(f);
  });

  it("the relationship team's edit changes the assessment", async () => {
    const target = await makeClient(t.db, users.admin.id, { name: "Assesscheck Pangolin Trust", priority: "medium" });
    const fields = formFields((await agents.relationshipTeam.get(`/clients/${target.id}/edit`)).text);
    expect(fields.priority).toBe("medium");
    const res = await agents.relationshipTeam.post(`/clients/${target.id}`).type("form").send({ ...fields, priority: "high", relationshipNotes: "Warming up" });
    expect(res.status).toBe(302);
    expect(await stored(target.id)).toMatchObject({ priority: "high", relationshipNotes: "Warming up" });
  });
});

describe("duplicate warnings respect visibility", () => {
  it("a manager creating a near-namesake (or same email domain) of a hidden client is not warned about it", async () => {
    const bodies: Record<string, string>[] = [
      { name: "Zebulon Restricted Holding", clientType: "organization" },
      { name: "Quite Unrelated Name Xylo", clientType: "organization", email: "someone@zebulon-holdings.test" },
    ];
    for (const body of bodies) {
      const res = await postForm(agents.manager, "/clients/new", "/clients", body);
      expect(res.text).not.toContain(restricted.id);
      expect(res.text).not.toContain(R_CODE);
      expect(res.text).not.toContain("This client may already exist");
      expect(res.status, body.name).toBe(302);
      const shown = await agents.manager.get(res.headers.location!);
      expect(shown.text).not.toContain(restricted.id);
      expect(shown.text).not.toContain(R_CODE);
      expect(shown.text).not.toContain(R_NAME);
    }
  });

  it("someone who may see it is warned", async () => {
    // Staff cannot create; an admin who may view confidential clients can, and is warned.
    const adminViewer = await makeUser(t.db, { role: "admin", viewConfidential: true, name: "Ursula Adminview" });
    const agent = await signedIn(t.app, adminViewer.email);
    const res = await postForm(agent, "/clients/new", "/clients", { name: "Zebulon Restricted Holdinngs", clientType: "organization" });
    expect(res.status).toBe(200);
    expect(res.text).toContain("This client may already exist");
    expect(res.text).toContain(`href="/clients/${restricted.id}"`);
  });
});

describe("audit events with field-level before/after", () => {
  type Changes = Record<string, { before: unknown; after: unknown }>;
  const lastEvent = async (action: string, entityId: string) =>
    t.db.auditEvent.findFirstOrThrow({ where: { action, entityType: "client", entityId }, orderBy: { id: "desc" } });

  it("create, edit, deactivate, reactivate and delete each write an event with the changed fields", async () => {
    const res = await postForm(agents.manager, "/clients/new", "/clients", { name: "Auditable Tapir Company", clientType: "organization", city: "Oldtown", confirmDuplicates: "on" });
    expect(res.status).toBe(302);
    const created = await t.db.client.findFirstOrThrow({ where: { name: "Auditable Tapir Company" } });
    const create = await lastEvent("client.create", created.id);
    expect(create.actorId).toBe(users.manager.id);
    expect((create.changes as Changes).name).toEqual({ before: null, after: "Auditable Tapir Company" });
    expect((create.changes as Changes).city).toEqual({ before: null, after: "Oldtown" });
    expect((create.changes as Changes).clientCode).toEqual({ before: null, after: created.clientCode });

    const fields = formFields((await agents.manager.get(`/clients/${created.id}/edit`)).text);
    expect((await agents.manager.post(`/clients/${created.id}`).type("form").send({ ...fields, city: "Newtown" })).status).toBe(302);
    const update = await lastEvent("client.update", created.id);
    expect(update.actorId).toBe(users.manager.id);
    expect((update.changes as Changes).city).toEqual({ before: "Oldtown", after: "Newtown" });
    expect(update.changes).not.toHaveProperty("name");

    const page = `/clients/${created.id}`;
    expect((await postForm(agents.admin, page, `${page}/deactivate`, { reason: "Moved abroad" })).status).toBe(302);
    const deactivate = await lastEvent("client.deactivate", created.id);
    expect(deactivate.actorId).toBe(users.admin.id);
    expect((deactivate.changes as Changes).status).toEqual({ before: "active", after: "inactive" });
    expect((deactivate.changes as Changes).deactivationReason).toEqual({ before: null, after: "Moved abroad" });

    expect((await postForm(agents.admin, page, `${page}/reactivate`, { reason: "Back again" })).status).toBe(302);
    const reactivate = await lastEvent("client.reactivate", created.id);
    expect((reactivate.changes as Changes).status).toEqual({ before: "inactive", after: "active" });
    expect(JSON.stringify(reactivate.changes)).toContain("Back again");

    expect((await postForm(agents.admin, `${page}/delete`, `${page}/delete`, {})).status).toBe(302);
    const del = await lastEvent("client.delete", created.id);
    expect(del.actorId).toBe(users.admin.id);
    expect((del.changes as Changes).name).toEqual({ before: "Auditable Tapir Company", after: null });
    expect((del.changes as Changes).clientCode).toEqual({ before: created.clientCode, after: null });
  });
});

describe("an admin who may view confidential clients", () => {
  it("deactivates, reactivates and deletes the restricted client, which others never could", async () => {
    const adminViewer = await makeUser(t.db, { role: "admin", viewConfidential: true, name: "Uma Adminviewer" });
    const agent = await signedIn(t.app, adminViewer.email);
    const page = `/clients/${restricted.id}`;
    // Its contact would block the delete (client-form.test.ts covers that): removed first.
    await t.db.contact.deleteMany({ where: { clientId: restricted.id } });
    const show = await agent.get(page);
    expect(show.status).toBe(200);
    expect(show.text).toContain(`action="${page}/deactivate"`);
    expect((await postForm(agent, page, `${page}/deactivate`, { reason: "Wound down" })).status).toBe(302);
    expect((await stored(restricted.id))!.status).toBe("inactive");
    expect((await postForm(agent, page, `${page}/reactivate`, { reason: "Revived" })).status).toBe(302);
    expect((await stored(restricted.id))!.status).toBe("active");
    expect((await postForm(agent, `${page}/delete`, `${page}/delete`, {})).status).toBe(302);
    expect(await stored(restricted.id)).toBeNull();
  });
});
