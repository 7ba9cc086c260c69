import os from "node:os";
import path from "node:path";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { crc32, deflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Prisma } from "../../src/generated/prisma/client.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { csrfToken, signedIn, type Agent } from "../helpers/http.ts";

let t: TestApp;
let dataDir: string;
let logoDir: string;
let staffId: string;
let staff: Agent;
let outsider: Agent;
let admin: Agent;
let seq = 0;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "clientdesk-logo-test-"));
  logoDir = path.join(dataDir, "uploads", "logos");
  t = await createTestApp({ DATA_DIR: dataDir });
  const s = await makeUser(t.db, { role: "staff" });
  const o = await makeUser(t.db, { role: "staff" });
  const a = await makeUser(t.db, { role: "admin" });
  staffId = s.id;
  [staff, outsider, admin] = await Promise.all([signedIn(t.app, s.email), signedIn(t.app, o.email), signedIn(t.app, a.email)]);
});
afterAll(async () => {
  await t.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function makeClient(overrides: Partial<Prisma.ClientUncheckedCreateInput> = {}) {
  seq += 1;
  return t.db.client.create({ data: { clientCode: `CLT-2026-${String(7000 + seq)}`, name: `Logo Client ${seq}`, createdById: staffId, ...overrides } });
}

/** A real 1×1 PNG, built chunk by chunk. */
function png(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0); // width
  header.writeUInt32BE(1, 4); // height
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  const pixels = deflateSync(Buffer.from([0, 0x1f, 0x5f, 0xbf])); // filter byte, then one RGB pixel
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", header), chunk("IDAT", pixels), chunk("IEND", Buffer.alloc(0))]);
}

const storedFiles = async () => readdir(logoDir).catch(() => [] as string[]);

function upload(agent: Agent, clientId: string, token: string | undefined, bytes: Buffer, filename = "logo.png", contentType = "image/png") {
  const req = agent.post(`/clients/${clientId}/logo`);
  if (token !== undefined) req.field("_csrf", token);
  return req.attach("logo", bytes, { filename, contentType });
}

describe("uploading a client logo", () => {
  it("accepts a real PNG, stores it outside the web root and serves it back to people who may see the client", async () => {
    const client = await makeClient({ name: "Pixel Works" });
    const token = await csrfToken(staff, `/clients/${client.id}`);
    const bytes = png();
    const res = await upload(staff, client.id, token, bytes);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/clients/${client.id}#logo`);
    const stored = await t.db.client.findUniqueOrThrow({ where: { id: client.id } });
    expect(stored.logoContentType).toBe("image/png");
    expect(stored.logoFile).toMatch(/^[0-9a-f-]{36}$/);
    expect(await readFile(path.join(logoDir, stored.logoFile!))).toEqual(bytes);

    const served = await staff.get(`/clients/${client.id}/logo`).buffer(true);
    expect(served.status).toBe(200);
    expect(served.headers["content-type"]).toBe("image/png");
    expect(served.headers["x-content-type-options"]).toBe("nosniff");
    expect(served.headers["cache-control"]).toBe("private, no-store");
    expect(Buffer.compare(served.body as Buffer, bytes)).toBe(0);

    const page = await staff.get(`/clients/${client.id}`);
    expect(page.text).toContain("Logo saved.");
    expect(page.text).toContain(`<img class="client-logo" src="/clients/${client.id}/logo"`);

    const events = await t.db.auditEvent.findMany({ where: { entityType: "client", entityId: client.id, action: "client.logo_update" } });
    expect(events).toHaveLength(1);
    expect(events[0]!.changes).toMatchObject({ logoFile: { before: null, after: stored.logoFile }, logoContentType: { before: null, after: "image/png" } });
  });

  it("serves a restricted client's logo only to its team: 404 to anyone else, as for a missing client", async () => {
    const client = await makeClient({ isConfidential: true, accountManagerId: staffId });
    const token = await csrfToken(staff, `/clients/${client.id}`);
    expect((await upload(staff, client.id, token, png())).status).toBe(303);
    expect((await staff.get(`/clients/${client.id}/logo`)).status).toBe(200);
    const hidden = await outsider.get(`/clients/${client.id}/logo`);
    expect(hidden.status).toBe(404);
    expect(hidden.headers["content-type"]).not.toContain("image/");
    expect((await outsider.get("/clients/00000000-0000-4000-8000-000000000000/logo")).status).toBe(404);

    const before = (await t.db.client.findUniqueOrThrow({ where: { id: client.id } })).logoFile;
    const files = await storedFiles();
    const outsiderToken = await csrfToken(outsider, "/clients");
    expect((await upload(outsider, client.id, outsiderToken, png())).status).toBe(404);
    const remove = await outsider.post(`/clients/${client.id}/logo/delete`).type("form").send({ _csrf: outsiderToken });
    expect(remove.status).toBe(404);
    expect((await t.db.client.findUniqueOrThrow({ where: { id: client.id } })).logoFile).toBe(before);
    expect((await storedFiles()).sort()).toEqual(files.sort());
  });

  it("checks the content, not the name: a text file called logo.png is refused with a message", async () => {
    const client = await makeClient();
    const token = await csrfToken(staff, `/clients/${client.id}`);
    const files = await storedFiles();
    const res = await upload(staff, client.id, token, Buffer.from("<svg onload=alert(1)>not an image</svg>\n"), "logo.png", "image/png");
    expect(res.status).toBe(303);
    const page = await staff.get(res.headers.location!);
    expect(page.text).toContain("The logo must be a PNG, JPEG, WebP or GIF image");
    expect((await t.db.client.findUniqueOrThrow({ where: { id: client.id } })).logoFile).toBeNull();
    expect(await storedFiles()).toEqual(files);
    const json = await upload(staff, client.id, token, Buffer.from("plain text"), "logo.png").set("Accept", "application/json");
    expect(json.status).toBe(422);
  });

  it("refuses a 3 MB upload with a message, never a 500, and keeps nothing", async () => {
    const client = await makeClient();
    const token = await csrfToken(staff, `/clients/${client.id}`);
    const files = await storedFiles();
    const big = Buffer.concat([png(), Buffer.alloc(3 * 1024 * 1024)]);
    const res = await upload(staff, client.id, token, big);
    expect(res.status).toBe(303);
    const page = await staff.get(res.headers.location!);
    expect(page.text).toContain("The logo is larger than 2 MB.");
    const json = await upload(staff, client.id, token, big).set("Accept", "application/json");
    expect(json.status).toBe(413);
    expect(json.body.error).toContain("larger than 2 MB");
    expect((await t.db.client.findUniqueOrThrow({ where: { id: client.id } })).logoFile).toBeNull();
    expect(await storedFiles()).toEqual(files);
  });

  it("asks for a file when none is sent", async () => {
    const client = await makeClient();
    const token = await csrfToken(staff, `/clients/${client.id}`);
    const res = await staff.post(`/clients/${client.id}/logo`).field("_csrf", token).set("Accept", "application/json");
    expect(res.status).toBe(422);
    expect(res.body.error).toContain("Choose an image file");
  });

  it("replaces and removes a logo, deleting the old files and auditing each change", async () => {
    const client = await makeClient();
    const token = await csrfToken(staff, `/clients/${client.id}`);
    await upload(staff, client.id, token, png());
    const first = (await t.db.client.findUniqueOrThrow({ where: { id: client.id } })).logoFile!;
    await upload(staff, client.id, token, png());
    const second = (await t.db.client.findUniqueOrThrow({ where: { id: client.id } })).logoFile!;
    expect(second).not.toBe(first);
    expect(await storedFiles()).not.toContain(first);
    expect(await storedFiles()).toContain(second);

    const res = await staff.post(`/clients/${client.id}/logo/delete`).type("form").send({ _csrf: token });
    expect(res.status).toBe(303);
    expect((await t.db.client.findUniqueOrThrow({ where: { id: client.id } })).logoFile).toBeNull();
    expect(await storedFiles()).not.toContain(second);
    expect((await staff.get(`/clients/${client.id}/logo`)).status).toBe(404);
    const actions = (await t.db.auditEvent.findMany({ where: { entityId: client.id, action: { startsWith: "client.logo" } }, orderBy: { id: "asc" } })).map((e) => e.action);
    expect(actions).toEqual(["client.logo_update", "client.logo_update", "client.logo_delete"]);
  });
});

describe("CSRF on multipart requests", () => {
  it("refuses an upload without a valid token (403) and writes nothing", async () => {
    const client = await makeClient();
    const files = await storedFiles();
    const audits = await t.db.auditEvent.count();
    expect((await upload(staff, client.id, undefined, png())).status).toBe(403);
    expect((await upload(staff, client.id, "forged-token", png())).status).toBe(403);
    // A token from another session does not count either.
    expect((await upload(staff, client.id, await csrfToken(outsider, "/clients"), png())).status).toBe(403);
    // Nor does a too-large upload get a message instead of the refusal.
    expect((await upload(staff, client.id, undefined, Buffer.alloc(3 * 1024 * 1024))).status).toBe(403);
    expect((await t.db.client.findUniqueOrThrow({ where: { id: client.id } })).logoFile).toBeNull();
    expect(await storedFiles()).toEqual(files);
    expect(await t.db.auditEvent.count()).toBe(audits);
  });

  it("accepts the token in the X-CSRF-Token header too", async () => {
    const client = await makeClient();
    const token = await csrfToken(staff, `/clients/${client.id}`);
    const res = await staff.post(`/clients/${client.id}/logo`).set("X-CSRF-Token", token).attach("logo", png(), "logo.png");
    expect(res.status).toBe(303);
    expect((await t.db.client.findUniqueOrThrow({ where: { id: client.id } })).logoContentType).toBe("image/png");
  });

  it("refuses multipart posts to every other route, even with the token in the body, and writes nothing", async () => {
    const client = await makeClient();
    const users = await t.db.user.count();
    const contacts = await t.db.contact.count();
    const audits = await t.db.auditEvent.count();
    const noToken = await admin.post("/admin/users").field("name", "Mallory").field("email", "mallory@evil.test").field("role", "admin");
    expect(noToken.status).toBe(403);
    const token = await csrfToken(admin, "/admin/users/new");
    // Only the upload route parses multipart bodies, so elsewhere a body token cannot be read: refused all the same.
    const bodyToken = await admin.post("/admin/users").field("_csrf", token).field("name", "Mallory").field("email", "mallory@evil.test").field("role", "admin");
    expect(bodyToken.status).toBe(403);
    const contact = await admin.post(`/clients/${client.id}/contacts`).field("name", "Mallory").attach("logo", png(), "logo.png");
    expect(contact.status).toBe(403);
    const logoDelete = await admin.post(`/clients/${client.id}/logo/delete`).field("x", "1");
    expect(logoDelete.status).toBe(403);
    const sneaky = await admin.post(`/clients/${client.id}/logo/../contacts`).field("name", "Mallory");
    expect(sneaky.status).toBe(403);
    expect(await t.db.user.count()).toBe(users);
    expect(await t.db.contact.count()).toBe(contacts);
    expect(await t.db.auditEvent.count()).toBe(audits);
  });
});
