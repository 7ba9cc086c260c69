// Documents over HTTP: uploading from a client and a case, versions, download and preview, content checks, edit,
// soft delete and restore, the firm-wide list, and the compliance rule that closes a case.
import os from "node:os";
import path from "node:path";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { signedIn, postForm, type Agent } from "../helpers/http.ts";
import { makeClient } from "../clients/support.ts";
import { makeCaseType, openCase } from "../cases/support.ts";
import { bytesOf, fetchBytes, pdfWithText, png, typeId, upload, uploadVersion } from "./support.ts";

let t: TestApp;
let dataDir: string;
let staffUser: Awaited<ReturnType<typeof makeUser>>;
let adminUser: Awaited<ReturnType<typeof makeUser>>;
let staff: Agent;
let admin: Agent;
let other: Agent;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "clientdesk-docs-test-"));
  t = await createTestApp({ DATA_DIR: dataDir, DOCUMENT_MAX_MB: "1" });
  staffUser = await makeUser(t.db, { role: "staff" });
  adminUser = await makeUser(t.db, { role: "admin" });
  const otherUser = await makeUser(t.db, { role: "staff" });
  [staff, admin, other] = await Promise.all([signedIn(t.app, staffUser.email), signedIn(t.app, adminUser.email), signedIn(t.app, otherUser.email)]);
});
afterAll(async () => {
  await t.close();
  await rm(dataDir, { recursive: true, force: true });
});

const storedFiles = async () => {
  const root = path.join(dataDir, "storage", "documents");
  const shards = await readdir(root).catch(() => [] as string[]);
  return (await Promise.all(shards.map((s) => readdir(path.join(root, s))))).flat();
};
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("uploading to a client", () => {
  it("stores several files at once as documents with a first version, checksum and audit entry, and lists them on the client page", async () => {
    const client = await makeClient(t.db, adminUser.id, { name: "Harbor Freight Co" });
    const pdf = pdfWithText("Engagement terms for Harbor");
    const image = png();
    const res = await upload(staff, `/clients/${client.id}`, { typeId: await typeId(t.db, "engagement_agreement"), clientId: client.id, returnTo: `/clients/${client.id}#documents` }, [
      { bytes: pdf, name: "engagement-letter.pdf", contentType: "application/pdf" },
      { bytes: image, name: "passport scan.png", contentType: "image/png" },
    ]);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/clients/${client.id}#documents`);
    const docs = await t.db.document.findMany({ where: { clientId: client.id }, include: { versions: true }, orderBy: { title: "asc" } });
    expect(docs.map((d) => [d.title, d.fileName, d.contentType, d.size, d.versionCount])).toEqual([
      ["engagement-letter", "engagement-letter.pdf", "application/pdf", pdf.length, 1],
      ["passport scan", "passport scan.png", "image/png", image.length, 1],
    ]);
    expect(docs[0]!.versions[0]!.sha256).toBe(sha(pdf));
    expect(docs[0]!.createdById).toBe(staffUser.id);
    expect(await readFile(path.join(dataDir, "storage", ...docs[0]!.versions[0]!.storageKey.split("/")))).toEqual(pdf);
    const audit = await t.db.auditEvent.findMany({ where: { action: "document.create", entityId: { in: docs.map((d) => d.id) } } });
    expect(audit).toHaveLength(2);
    const page = await staff.get(`/clients/${client.id}`);
    expect(page.text).toContain("engagement-letter");
    expect(page.text).toContain("passport scan");
    expect(page.text).toContain('action="/documents"');
  });

  it("refuses a file whose content is not an allowed kind, whatever its name, and stores nothing", async () => {
    const client = await makeClient(t.db, adminUser.id);
    const before = (await storedFiles()).length;
    const fake = Buffer.from("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + "\x00".repeat(200), "latin1");
    const res = await upload(staff, `/clients/${client.id}`, { typeId: await typeId(t.db, "other"), clientId: client.id, title: "Kept title" }, [
      { bytes: pdfWithText("fine"), name: "fine.pdf" },
      { bytes: fake, name: "invoice.pdf", contentType: "application/pdf" },
    ]);
    expect(res.status).toBe(422);
    expect(res.text).toContain("“invoice.pdf”: This file&#39;s content is not a kind of document we keep");
    expect(res.text).toContain('value="Kept title"');
    expect(await t.db.document.count({ where: { clientId: client.id } })).toBe(0);
    expect((await storedFiles()).length).toBe(before);
  });

  it("refuses a file over the size limit with a clear message, and a script gets it as JSON", async () => {
    const client = await makeClient(t.db, adminUser.id);
    const big = Buffer.concat([pdfWithText("big"), Buffer.alloc(1024 * 1024 + 10, 32)]);
    const res = await upload(staff, `/clients/${client.id}`, { typeId: await typeId(t.db, "other"), clientId: client.id }, [{ bytes: big, name: "big.pdf" }], { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" });
    expect(res.status).toBe(413);
    expect(res.body.error).toBe("A file is larger than 1 MB, the most one document may be. Nothing was stored.");
    expect(await t.db.document.count({ where: { clientId: client.id } })).toBe(0);
    expect(await readdir(path.join(dataDir, "tmp", "uploads"))).toEqual([]);
  });

  it("asks for a type and a file, keeping what was typed", async () => {
    const client = await makeClient(t.db, adminUser.id);
    const res = await upload(staff, `/clients/${client.id}`, { typeId: "", clientId: client.id, description: "Notes kept" }, [{ bytes: pdfWithText("x"), name: "x.pdf" }]);
    expect(res.status).toBe(422);
    expect(res.text).toContain("Choose a document type.");
    expect(res.text).toContain("Notes kept");
    const none = await upload(staff, `/clients/${client.id}`, { typeId: await typeId(t.db, "other"), clientId: client.id }, []);
    expect(none.status).toBe(422);
    expect(none.text).toContain("Choose at least one file to upload.");
  });

  it("refuses an upload without the CSRF token", async () => {
    const client = await makeClient(t.db, adminUser.id);
    const res = await staff.post("/documents").field("clientId", client.id).attach("file", pdfWithText("x"), "x.pdf");
    expect(res.status).toBe(403);
    expect(await t.db.document.count({ where: { clientId: client.id } })).toBe(0);
  });
});

describe("a document's versions, download and preview", () => {
  it("keeps every version, downloads any of them with a safe attachment name, and previews PDFs inline under a strict policy", async () => {
    const client = await makeClient(t.db, adminUser.id);
    const v1 = pdfWithText("first draft");
    const v2 = pdfWithText("second draft, signed");
    const res = await upload(staff, `/clients/${client.id}`, { typeId: await typeId(t.db, "correspondence"), clientId: client.id, title: "Letter to the regulator" }, [{ bytes: v1, name: '..\\evil"name\r\n.pdf' }]);
    expect(res.status).toBe(303);
    const doc = await t.db.document.findFirstOrThrow({ where: { clientId: client.id } });
    expect(res.headers.location).toBe(`/documents/${doc.id}`);
    const second = await uploadVersion(staff, doc.id, { bytes: v2, name: "letter-v2.pdf" });
    expect(second.status).toBe(303);
    const stored = await t.db.document.findUniqueOrThrow({ where: { id: doc.id }, include: { versions: { orderBy: { number: "asc" } } } });
    expect(stored.versionCount).toBe(2);
    expect(stored.fileName).toBe("letter-v2.pdf");
    expect(stored.versions.map((v) => [v.number, v.size, v.sha256])).toEqual([[1, v1.length, sha(v1)], [2, v2.length, sha(v2)]]);

    const page = await other.get(`/documents/${doc.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("Letter to the regulator");
    expect(page.text).toContain(sha(v1).slice(0, 12));
    expect(page.text).toContain("2 (latest)");

    const latest = await fetchBytes(other, `/documents/${doc.id}/download`);
    expect(latest.status).toBe(200);
    expect(bytesOf(latest)).toEqual(v2);
    expect(latest.headers["content-disposition"]).toBe(`attachment; filename="letter-v2.pdf"; filename*=UTF-8''letter-v2.pdf`);
    const old = await fetchBytes(other, `/documents/${doc.id}/versions/1/download`);
    expect(bytesOf(old)).toEqual(v1);
    expect(old.headers["content-disposition"]).toMatch(/^attachment; filename="evil_name_.pdf"/);
    expect(old.headers["x-content-type-options"]).toBe("nosniff");

    const preview = await fetchBytes(other, `/documents/${doc.id}/preview`);
    expect(preview.status).toBe(200);
    expect(preview.headers["content-type"]).toBe("application/pdf");
    expect(preview.headers["content-disposition"]).toMatch(/^inline;/);
    expect(preview.headers["content-security-policy"]).toContain("default-src 'none'");
    expect(preview.headers["x-content-type-options"]).toBe("nosniff");
    expect((await other.get(`/documents/${doc.id}/versions/3/download`)).status).toBe(404);
    expect((await other.get(`/documents/${doc.id}/versions/abc/download`)).status).toBe(404);
  });

  it("does not preview kinds a browser could run or misread (text is downloaded, never shown inline)", async () => {
    const client = await makeClient(t.db, adminUser.id);
    await upload(staff, `/clients/${client.id}`, { typeId: await typeId(t.db, "other"), clientId: client.id }, [{ bytes: Buffer.from("<script>alert(1)</script> plain words\n"), name: "page.html" }]);
    const doc = await t.db.document.findFirstOrThrow({ where: { clientId: client.id } });
    expect(doc.contentType).toBe("text/plain");
    expect((await staff.get(`/documents/${doc.id}/preview`)).status).toBe(404);
    const download = await staff.get(`/documents/${doc.id}/download`);
    expect(download.headers["content-disposition"]).toMatch(/^attachment;/);
  });

  it("refuses to serve a file whose bytes no longer match the stored checksum", async () => {
    const client = await makeClient(t.db, adminUser.id);
    await upload(staff, `/clients/${client.id}`, { typeId: await typeId(t.db, "other"), clientId: client.id }, [{ bytes: pdfWithText("original"), name: "o.pdf" }]);
    const doc = await t.db.document.findFirstOrThrow({ where: { clientId: client.id }, include: { versions: true } });
    const file = path.join(dataDir, "storage", ...doc.versions[0]!.storageKey.split("/"));
    const tampered = await readFile(file);
    tampered[20] = tampered[20]! ^ 0xff;
    await writeFile(file, tampered);
    const res = await fetchBytes(staff, `/documents/${doc.id}/download`).catch((e: Error) => e);
    // The connection is cut before the last bytes: the client never gets the whole (wrong) file.
    if (!(res instanceof Error)) expect(bytesOf(res).length).toBeLessThan(tampered.length);
  });
});

describe("editing, deleting and restoring", () => {
  it("edits the title and type with an audit entry, soft deletes for the uploader, and lets only an administrator restore", async () => {
    const client = await makeClient(t.db, adminUser.id);
    await upload(staff, `/clients/${client.id}`, { typeId: await typeId(t.db, "other"), clientId: client.id, title: "Draft memo" }, [{ bytes: pdfWithText("memo"), name: "memo.pdf" }]);
    const doc = await t.db.document.findFirstOrThrow({ where: { clientId: client.id } });
    const bad = await postForm(staff, `/documents/${doc.id}`, `/documents/${doc.id}`, { title: "", typeId: await typeId(t.db, "other") });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain("Give the document a title.");
    const ok = await postForm(staff, `/documents/${doc.id}`, `/documents/${doc.id}`, { title: "Final memo", typeId: await typeId(t.db, "correspondence"), description: "Sent" });
    expect(ok.status).toBe(303);
    const [edit] = await t.db.auditEvent.findMany({ where: { action: "document.update", entityId: doc.id } });
    expect(edit!.changes).toMatchObject({ title: { before: "Draft memo", after: "Final memo" } });

    expect((await postForm(other, `/documents/${doc.id}`, `/documents/${doc.id}/delete`, {})).status).toBe(403);
    const del = await postForm(staff, `/documents/${doc.id}/delete`, `/documents/${doc.id}/delete`, {});
    expect(del.status).toBe(303);
    expect((await t.db.document.findUniqueOrThrow({ where: { id: doc.id } })).deletedAt).toBeInstanceOf(Date);
    expect((await staff.get(`/documents/${doc.id}`)).status).toBe(404);
    expect((await staff.get(`/documents/${doc.id}/download`)).status).toBe(404);
    expect((await staff.get("/documents")).text).not.toContain("Final memo");

    expect((await staff.get("/documents/deleted")).status).toBe(404);
    const deleted = await admin.get("/documents/deleted");
    expect(deleted.text).toContain("Final memo");
    expect((await postForm(staff, "/documents", `/documents/${doc.id}/restore`, {})).status).toBe(403);
    expect((await postForm(admin, "/documents/deleted", `/documents/${doc.id}/restore`, {})).status).toBe(303);
    expect((await staff.get(`/documents/${doc.id}`)).status).toBe(200);
    expect((await t.db.auditEvent.findMany({ where: { entityId: doc.id }, orderBy: { id: "asc" } })).map((e) => e.action)).toEqual(["document.create", "document.update", "document.delete", "document.restore"]);
  });
});

describe("the firm-wide list", () => {
  it("filters by type, client and privileged, sorts, and pages by keyset", async () => {
    const client = await makeClient(t.db, adminUser.id, { name: "Listing Client" });
    const corr = await typeId(t.db, "correspondence");
    const files = Array.from({ length: 7 }, (_, i) => ({ bytes: pdfWithText(`listing ${i}`), name: `listing-${i}.pdf` }));
    expect((await upload(staff, `/clients/${client.id}`, { typeId: corr, clientId: client.id }, files)).status).toBe(303);
    const first = await staff.get(`/documents?client=${client.id}&sort=title&dir=asc&perPage=5`);
    const titles = (html: string) => [...html.matchAll(/data-document-row="[^"]+">\s*<td><a href="[^"]+">([^<]+)</g)].map((m) => m[1]);
    expect(titles(first.text)).toEqual(["listing-0", "listing-1", "listing-2", "listing-3", "listing-4"]);
    expect(first.text).toContain("7 documents match these filters");
    const next = /rel="next" href="([^"]+)"/.exec(first.text)![1]!.replace(/&amp;/g, "&");
    const second = await staff.get(`/documents${next}`);
    expect(titles(second.text)).toEqual(["listing-5", "listing-6"]);
    const prev = /rel="prev" href="([^"]+)"/.exec(second.text)![1]!.replace(/&amp;/g, "&");
    expect(titles((await staff.get(`/documents${prev}`)).text)).toEqual(["listing-0", "listing-1", "listing-2", "listing-3", "listing-4"]);
    const bySize = await staff.get(`/documents?client=${client.id}&sort=size&dir=desc&perPage=100`);
    expect(titles(bySize.text)).toHaveLength(7);
    expect(titles((await staff.get(`/documents?client=${client.id}&type=${await typeId(t.db, "identification")}`)).text)).toEqual([]);
    expect(titles((await staff.get(`/documents?client=${client.id}&privileged=yes`)).text)).toEqual([]);
    expect(titles((await staff.get(`/documents?client=${client.id}&q=listing-3`)).text)).toEqual(["listing-3"]);
    // A search pages and counts the same way (its matches are gathered once for the page and the count).
    const found = await staff.get(`/documents?client=${client.id}&q=listing&sort=title&dir=desc&perPage=5`);
    expect(titles(found.text)).toEqual(["listing-6", "listing-5", "listing-4", "listing-3", "listing-2"]);
    expect(found.text).toContain("7 documents match these filters");
    const foundNext = /rel="next" href="([^"]+)"/.exec(found.text)![1]!.replace(/&amp;/g, "&");
    const foundSecond = await staff.get(`/documents${foundNext}`);
    expect(titles(foundSecond.text)).toEqual(["listing-1", "listing-0"]);
    expect(foundSecond.text).toContain("7 documents match these filters");
    expect(foundSecond.text).not.toContain('rel="next"');
    const foundBack = await staff.get(`/documents${/rel="prev" href="([^"]+)"/.exec(foundSecond.text)![1]!.replace(/&amp;/g, "&")}`);
    expect(titles(foundBack.text)).toEqual(["listing-6", "listing-5", "listing-4", "listing-3", "listing-2"]);
    expect(titles((await staff.get(`/documents?client=${client.id}&q=listing&privileged=no&sort=size&dir=asc&perPage=100`)).text)).toHaveLength(7);
    expect(titles((await staff.get(`/documents?client=${client.id}&q=listing&privileged=yes`)).text)).toEqual([]);
    const nav = await staff.get("/documents");
    expect(nav.text).toMatch(/<a href="\/documents" aria-current="page">Documents<\/a>/);
  });
});

describe("the privileged filter", () => {
  it("lists the privileged material of the reader's clients (filed on the client or on a case only), pages and counts it, and nothing of other clients'", async () => {
    const corr = await typeId(t.db, "correspondence");
    const mine = await makeClient(t.db, adminUser.id, { name: "Privileged Mine", teamUserIds: [staffUser.id] });
    const mineClassified = await makeClient(t.db, adminUser.id, { name: "Privileged Classified", dataClassification: "privileged", accountManagerId: staffUser.id });
    const theirs = await makeClient(t.db, adminUser.id, { name: "Privileged Theirs" });
    const { type } = await makeCaseType(t.db);
    const myCase = await openCase(t.db, staffUser, { clientId: mine.id, typeId: type.id });
    const doc = (title: string, fields: { clientId?: string; caseId?: string; privileged: boolean }) =>
      t.db.document.create({ data: { title, typeId: corr, fileName: `${title}.txt`, contentType: "text/plain", size: 1, createdById: adminUser.id, ...fields } });
    // Privileged material the staff user may see: marked privileged on their client, filed on their client's case
    // only, or of a privileged client they manage.
    await doc("pm-1 marked", { clientId: mine.id, privileged: true });
    await doc("pm-2 case only", { caseId: myCase.id, privileged: true });
    await doc("pm-3 classified", { clientId: mineClassified.id, privileged: false });
    for (let i = 4; i <= 7; i++) await doc(`pm-${i} more`, { clientId: mine.id, privileged: true });
    // Not privileged material, and material of a client whose team they are not on (a client they may see).
    await doc("pm-x plain", { clientId: mine.id, privileged: false });
    await doc("pm-x theirs", { clientId: theirs.id, privileged: true });
    const deleted = await doc("pm-x deleted", { clientId: mine.id, privileged: true });
    await t.db.document.update({ where: { id: deleted.id }, data: { deletedAt: new Date(), deletedById: adminUser.id } });
    expect((await staff.get(`/clients/${theirs.id}`)).status).toBe(200);

    const titles = (html: string) => [...html.matchAll(/data-document-row="[^"]+">\s*<td><a href="[^"]+">([^<]+)</g)].map((m) => m[1]!).filter((title) => title.startsWith("pm-"));
    const first = await staff.get("/documents?privileged=yes&sort=title&dir=asc&perPage=5");
    expect(titles(first.text)).toEqual(["pm-1 marked", "pm-2 case only", "pm-3 classified", "pm-4 more", "pm-5 more"]);
    expect(first.text).toContain("7 documents match these filters");
    const next = /rel="next" href="([^"]+)"/.exec(first.text)![1]!.replace(/&amp;/g, "&");
    expect(titles((await staff.get(`/documents${next}`)).text)).toEqual(["pm-6 more", "pm-7 more"]);
    // The default order (newest upload first) and the other readers: the administrator is on none of these teams.
    expect(titles((await staff.get("/documents?privileged=yes")).text)).toEqual(["pm-7 more", "pm-6 more", "pm-5 more", "pm-4 more", "pm-3 classified", "pm-2 case only", "pm-1 marked"]);
    expect(titles((await admin.get("/documents?privileged=yes")).text)).toEqual([]);
    expect(titles((await other.get("/documents?privileged=yes")).text)).toEqual([]);
    // Not privileged material: the plain document and the other client's are listed without the filter's narrowing.
    expect(titles((await staff.get(`/documents?privileged=no&client=${mine.id}`)).text)).toEqual(["pm-x plain"]);
  });
});

describe("cases", () => {
  it("uploads from the case's Documents tab, lists there, and links to the client only when asked", async () => {
    const client = await makeClient(t.db, adminUser.id);
    const { type } = await makeCaseType(t.db);
    const kase = await openCase(t.db, staffUser, { clientId: client.id, typeId: type.id });
    const tab = await staff.get(`/cases/${kase.id}/documents`);
    expect(tab.status).toBe(200);
    expect(tab.text).toContain("No documents on this case yet");
    const res = await upload(staff, `/cases/${kase.id}/documents`, { typeId: await typeId(t.db, "intake_form"), caseId: kase.id, returnTo: `/cases/${kase.id}/documents` }, [{ bytes: pdfWithText("intake"), name: "intake.pdf" }]);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/cases/${kase.id}/documents`);
    const doc = await t.db.document.findFirstOrThrow({ where: { caseId: kase.id } });
    expect(doc.clientId).toBeNull();
    expect((await staff.get(`/cases/${kase.id}/documents`)).text).toContain("intake");
    await upload(staff, `/cases/${kase.id}/documents`, { typeId: await typeId(t.db, "intake_form"), caseId: kase.id, linkClient: "on" }, [{ bytes: pdfWithText("both"), name: "both.pdf" }]);
    const both = await t.db.document.findFirstOrThrow({ where: { caseId: kase.id, title: "both" } });
    expect(both.clientId).toBe(client.id);
    // someone off the case does not reach the case or upload to it
    expect((await other.get(`/cases/${kase.id}/documents`)).status).toBe(404);
    const refused = await upload(other, `/clients/${client.id}`, { typeId: await typeId(t.db, "other"), caseId: kase.id }, [{ bytes: pdfWithText("x"), name: "x.pdf" }]);
    expect(refused.status).toBe(404);
  });

  it("closes a compliance-review case only once a compliance document is filed on it", async () => {
    const client = await makeClient(t.db, adminUser.id);
    const manager = await makeUser(t.db, { role: "manager", department: "Compliance" });
    const { type } = await makeCaseType(t.db, { requiresComplianceReview: true, stages: [{ name: "Sign-off", stageType: "approval", approvalRequired: true, minApprovers: 1 }] });
    const kase = await openCase(t.db, adminUser, { clientId: client.id, typeId: type.id, managerId: manager.id });
    const signOff = kase.stages[0]!;
    const managerAgent = await signedIn(t.app, manager.email);
    const go = (to: string, from: string) => postForm(managerAgent, `/cases/${kase.id}`, `/cases/${kase.id}/status`, { to, from, resolutionType: "favorable", resolutionSummary: "Done" });
    const statusOf = async () => (await t.db.case.findUniqueOrThrow({ where: { id: kase.id } })).status;
    await go("in_progress", "new");
    expect(await statusOf()).toBe("in_progress");
    await postForm(managerAgent, `/cases/${kase.id}/workflow`, `/cases/${kase.id}/stages/${signOff.id}/start`, {});
    await postForm(managerAgent, `/cases/${kase.id}/workflow`, `/cases/${kase.id}/stages/${signOff.id}/approve`, { note: "ok" });
    await postForm(managerAgent, `/cases/${kase.id}/workflow`, `/cases/${kase.id}/stages/${signOff.id}/complete`, {});
    expect((await t.db.caseStage.findUniqueOrThrow({ where: { id: signOff.id } })).status).toBe("completed");

    await go("closed", "in_progress");
    expect(await statusOf()).toBe("in_progress");
    expect((await managerAgent.get(`/cases/${kase.id}`)).text).toContain("This case requires compliance review: it cannot close without a compliance document.");
    // a compliance document on the client only, or a deleted one on the case, does not count
    await upload(managerAgent, `/clients/${client.id}`, { typeId: await typeId(t.db, "compliance"), clientId: client.id }, [{ bytes: pdfWithText("client level"), name: "c.pdf" }]);
    await upload(managerAgent, `/cases/${kase.id}/documents`, { typeId: await typeId(t.db, "compliance"), caseId: kase.id }, [{ bytes: pdfWithText("withdrawn"), name: "withdrawn.pdf" }]);
    const withdrawn = await t.db.document.findFirstOrThrow({ where: { caseId: kase.id, title: "withdrawn" } });
    await postForm(managerAgent, `/documents/${withdrawn.id}/delete`, `/documents/${withdrawn.id}/delete`, {});
    await go("closed", "in_progress");
    expect(await statusOf()).toBe("in_progress");
    expect((await upload(managerAgent, `/cases/${kase.id}/documents`, { typeId: await typeId(t.db, "compliance"), caseId: kase.id }, [{ bytes: pdfWithText("compliance"), name: "compliance.pdf" }])).status).toBe(303);
    await go("closed", "in_progress");
    expect(await statusOf()).toBe("closed");
  });
});
