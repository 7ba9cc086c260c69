// Attachments of communications: files sent with the quick form, the full form and the edit form are stored as the
// client's documents through the documents' pipeline and linked to the communication in the same transaction; a
// refused file stores nothing and the form keeps what was typed. Attachments follow the document rule; the timeline
// and the lists filter "with attachments"; deleting a communication keeps its documents.
import os from "node:os";
import path from "node:path";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { csrfToken, postForm, signedIn, type Agent } from "../helpers/http.ts";
import { decodeHtml } from "../clients/support.ts";
import { bytesOf, fetchBytes, pdfWithText, png } from "../documents/support.ts";
import { formOf, logAs, makeCaseType, makeClient, openCase } from "./support.ts";

let t: TestApp;
let dataDir: string;
type User = Awaited<ReturnType<typeof makeUser>>;
let admin: User, teamStaff: User, caseStaff: User, offStaff: User;
const agents = {} as Record<"admin" | "team" | "case" | "off", Agent>;
let caseTypeId: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "clientdesk-comm-attach-"));
  t = await createTestApp({ DATA_DIR: dataDir, DOCUMENT_MAX_MB: "1" });
  admin = await makeUser(t.db, { role: "admin", name: "Ada Admin" });
  teamStaff = await makeUser(t.db, { role: "staff", name: "Tom Team" });
  caseStaff = await makeUser(t.db, { role: "staff", name: "Cas Case" });
  offStaff = await makeUser(t.db, { role: "staff", name: "Olga Off" });
  agents.admin = await signedIn(t.app, admin.email);
  agents.team = await signedIn(t.app, teamStaff.email);
  agents.case = await signedIn(t.app, caseStaff.email);
  agents.off = await signedIn(t.app, offStaff.email);
  caseTypeId = (await makeCaseType(t.db)).type.id;
});
afterAll(async () => {
  await t.close();
  await rm(dataDir, { recursive: true, force: true });
});

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const storedObjects = async () => {
  const root = path.join(dataDir, "storage", "documents");
  const shards = await readdir(root).catch(() => [] as string[]);
  return (await Promise.all(shards.map((s) => readdir(path.join(root, s))))).flat().length;
};
const temporaryFiles = async () => (await readdir(path.join(dataDir, "tmp", "uploads")).catch(() => [] as string[])).length;

interface File {
  bytes: Buffer;
  name: string;
}

/** Posts a communication form as multipart, the way the browser sends it with files. */
async function postWithFiles(agent: Agent, page: string, action: string, fields: Record<string, string | string[]>, files: File[], headers: Record<string, string> = {}) {
  const token = await csrfToken(agent, page);
  const req = agent.post(action);
  for (const [k, v] of Object.entries(headers)) req.set(k, v);
  req.field("_csrf", token);
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) req.field(k, one);
  for (const f of files) req.attach("attachments", f.bytes, { filename: f.name, contentType: "application/octet-stream" });
  return req;
}
const logWithFiles = (agent: Agent, clientId: string, fields: Record<string, string | string[]>, files: File[], headers: Record<string, string> = {}) =>
  postWithFiles(agent, `/clients/${clientId}`, `/clients/${clientId}/communications`, formOf(fields), files, headers);

const clientWithTeam = (fields: Record<string, unknown> = {}) => makeClient(t.db, admin.id, { teamUserIds: [teamStaff.id], ...fields });

describe("logging with attachments", () => {
  it("stores each file as the client's document, linked to the communication in the same transaction, and lists them with download links", async () => {
    const client = await clientWithTeam({ name: "Attach Works Ltd" });
    const pdf = pdfWithText("Signed renewal letter");
    const image = png();
    const before = await storedObjects();
    const res = await logWithFiles(agents.team, client.id, { type: "email", subject: "Renewal letter received" }, [
      { bytes: pdf, name: "renewal-letter.pdf" },
      { bytes: image, name: "signature.png" },
    ]);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/clients/${client.id}#communications`);
    const m = await t.db.communication.findFirstOrThrow({ where: { clientId: client.id }, include: { attachments: { include: { document: { include: { versions: true, type: true } } } } } });
    expect(m.subject).toBe("Renewal letter received");
    const docs = m.attachments.map((a) => a.document).sort((a, b) => a.title.localeCompare(b.title));
    expect(docs.map((d) => [d.title, d.fileName, d.contentType, d.clientId, d.caseId, d.privileged, d.type.code, d.createdById])).toEqual([
      ["renewal-letter", "renewal-letter.pdf", "application/pdf", client.id, null, false, "correspondence", teamStaff.id],
      ["signature", "signature.png", "image/png", client.id, null, false, "correspondence", teamStaff.id],
    ]);
    expect(docs[0]!.versions[0]!.sha256).toBe(sha(pdf));
    expect(docs[0]!.textStatus).toBe("pending"); // text extraction queued like any upload
    expect(m.attachments.every((a) => a.linkedById === teamStaff.id)).toBe(true);
    expect(await storedObjects()).toBe(before + 2);
    expect(await temporaryFiles()).toBe(0);
    // audited: the communication names its attachments, each document its communication
    const created = await t.db.auditEvent.findFirstOrThrow({ where: { action: "communication.create", entityId: m.id } });
    expect(JSON.stringify(created.changes)).toContain(docs[0]!.id);
    for (const d of docs) expect(JSON.stringify((await t.db.auditEvent.findFirstOrThrow({ where: { action: "document.create", entityId: d.id } })).changes)).toContain(m.id);

    // the flash says so; the communication page lists them with download links that give the bytes back
    const clientPage = decodeHtml((await agents.team.get(`/clients/${client.id}`)).text);
    expect(clientPage).toContain("“Renewal letter received” logged with 2 attachments.");
    const page = decodeHtml((await agents.team.get(`/communications/${m.id}`)).text);
    expect(page).toContain("renewal-letter.pdf");
    expect(page).toContain(`/documents/${docs[0]!.id}/download`);
    expect(page).toContain(`/documents/${docs[1]!.id}/download`);
    expect(bytesOf(await fetchBytes(agents.team, `/documents/${docs[0]!.id}/download`)).equals(pdf)).toBe(true);
    // they are the client's documents
    expect((await agents.team.get(`/documents?client=${client.id}`)).text).toContain("signature.png");
  });

  it("the quick form's fetch gets the section back with the attachment listed", async () => {
    const client = await clientWithTeam();
    const res = await logWithFiles(agents.team, client.id, { subject: "Call with the minutes" }, [{ bytes: pdfWithText("minutes"), name: "minutes.pdf" }], { "X-Requested-With": "fetch" });
    expect(res.status).toBe(201);
    expect(res.text).toContain("data-communications-section");
    expect(res.text).toContain("minutes.pdf");
    expect(await t.db.communicationDocument.count({ where: { communication: { clientId: client.id } } })).toBe(1);
  });

  it("a refused file (type by content, size, form errors) stores nothing: no communication, document, link or file, and the form keeps what was typed", async () => {
    const client = await clientWithTeam();
    const objects = await storedObjects();
    const documents = await t.db.document.count();
    const check = async () => {
      expect(await t.db.communication.count({ where: { clientId: client.id } })).toBe(0);
      expect(await t.db.document.count()).toBe(documents);
      expect(await storedObjects()).toBe(objects);
      expect(await temporaryFiles()).toBe(0);
    };
    // an executable named .pdf, beside a good file
    const exe = Buffer.concat([Buffer.from("MZ"), Buffer.alloc(200, 7)]);
    const bad = await logWithFiles(agents.team, client.id, { subject: "Typed subject stays", notes: "Typed notes stay" }, [{ bytes: pdfWithText("ok"), name: "ok.pdf" }, { bytes: exe, name: "invoice.pdf" }]);
    expect(bad.status).toBe(422);
    const html = decodeHtml(bad.text);
    expect(html).toMatch(/id="f-attachments-error">“invoice\.pdf”: [^<]+Choose the files again\./);
    expect(html).toContain('value="Typed subject stays"');
    expect(html).toContain("Typed notes stay");
    await check();
    // too large (the limit is 1 MB here)
    const big = await logWithFiles(agents.team, client.id, { subject: "Large scan" }, [{ bytes: Buffer.concat([pdfWithText("big"), Buffer.alloc(1_200_000, 32)]), name: "scan.pdf" }]);
    expect(big.status).toBe(422);
    expect(decodeHtml(big.text)).toContain("A file is larger than 1 MB, the most one document may be. Nothing was stored.");
    expect(decodeHtml(big.text)).toContain('value="Large scan"');
    await check();
    // an empty file
    const empty = await logWithFiles(agents.team, client.id, { subject: "Empty" }, [{ bytes: Buffer.alloc(0), name: "empty.txt" }]);
    expect(empty.status).toBe(422);
    await check();
    // a good file with a bad form: the form's message, and the file is not stored
    const noSubject = await logWithFiles(agents.team, client.id, { subject: "", followUpRequired: "on" }, [{ bytes: pdfWithText("fine"), name: "fine.pdf" }]);
    expect(noSubject.status).toBe(422);
    expect(decodeHtml(noSubject.text)).toContain("A follow-up needs a date.");
    await check();
    // the fetch answer carries the message too
    const fetched = await logWithFiles(agents.team, client.id, { subject: "By script" }, [{ bytes: exe, name: "tool.exe" }], { "X-Requested-With": "fetch" });
    expect(fetched.status).toBe(422);
    expect(fetched.text).toContain('id="f-attachments-error"');
    await check();
    // no CSRF token: refused before anything is stored
    const noToken = await agents.team.post(`/clients/${client.id}/communications`).field("subject", "Forged").field("type", "phone").field("direction", "outbound").attach("attachments", pdfWithText("x"), { filename: "x.pdf" });
    expect(noToken.status).toBe(403);
    await check();
  });

  it("a communication on a case files its attachments on that case; a privileged one's attachments are privileged", async () => {
    const client = await clientWithTeam();
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId: caseTypeId, managerId: caseStaff.id });
    expect((await logWithFiles(agents.admin, client.id, { subject: "Case call", caseId: kase.id }, [{ bytes: pdfWithText("case"), name: "case.pdf" }])).status).toBe(302);
    expect((await logWithFiles(agents.team, client.id, { subject: "Privileged advice", privileged: "on" }, [{ bytes: pdfWithText("advice"), name: "advice.pdf" }])).status).toBe(302);
    const onCase = await t.db.document.findFirstOrThrow({ where: { fileName: "case.pdf", caseId: kase.id } });
    expect(onCase.clientId).toBeNull();
    expect(onCase.privileged).toBe(false);
    const advice = await t.db.document.findFirstOrThrow({ where: { fileName: "advice.pdf", clientId: client.id } });
    expect(advice.privileged).toBe(true);
  });
});

describe("who sees attachments", () => {
  it("follows the document rule for every reader: privileged and case communications' attachments are hidden, guessed URLs 404", async () => {
    const client = await clientWithTeam({ name: "Matrix Holdings" });
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId: caseTypeId, managerId: caseStaff.id });
    const make = async (subject: string, fields: Record<string, string>, agent: Agent = agents.team) => {
      const res = await logWithFiles(agent, client.id, { subject, ...fields }, [{ bytes: pdfWithText(subject), name: `${subject.replace(/\s/g, "-")}.pdf` }]);
      expect(res.status).toBe(302);
      const m = await t.db.communication.findFirstOrThrow({ where: { subject, clientId: client.id }, include: { attachments: true } });
      return { id: m.id, documentId: m.attachments[0]!.documentId };
    };
    const plain = await make("Plain call", {});
    const privileged = await make("Privileged call", { privileged: "on" });
    const onCase = await make("Case call", { caseId: kase.id }, agents.admin);
    // a communication everyone sees whose attachment was since marked privileged on the document
    const narrowed = await make("Narrowed call", {});
    await t.db.document.update({ where: { id: narrowed.documentId }, data: { privileged: true } });

    // who sees which attachment: the team sees the client's privileged material but not the case; the case's manager
    // the case but not privileged material; the administrator (not on the team) neither privileged one; off staff plain only.
    const SEES: Record<keyof typeof agents, string[]> = {
      team: ["plain", "privileged", "narrowed"],
      case: ["plain", "onCase"],
      admin: ["plain", "onCase"],
      off: ["plain"],
    };
    const all = { plain, privileged, onCase, narrowed };
    for (const [reader, visible] of Object.entries(SEES) as [keyof typeof agents, string[]][]) {
      for (const [name, rec] of Object.entries(all)) {
        const expected = visible.includes(name) ? 200 : 404;
        for (const url of [`/documents/${rec.documentId}`, `/documents/${rec.documentId}/download`, `/documents/${rec.documentId}/versions/1/download`]) {
          expect((await agents[reader].get(url)).status, `${reader} ${name} ${url}`).toBe(expected);
        }
      }
      // the communication pages and timelines list only the attachments the reader sees
      const timeline = decodeHtml((await agents[reader].get(`/clients/${client.id}/timeline`)).text);
      for (const [name, rec] of Object.entries(all)) {
        expect(timeline.includes(`/documents/${rec.documentId}/download`), `${reader} timeline ${name}`).toBe(visible.includes(name));
      }
      const narrowedPage = await agents[reader].get(`/communications/${narrowed.id}`);
      expect(narrowedPage.status).toBe(200);
      expect(narrowedPage.text.includes(narrowed.documentId), `${reader} narrowed page`).toBe(visible.includes("narrowed"));
      // "with attachments" counts only attachments the reader sees
      const withAttachments = decodeHtml((await agents[reader].get(`/communications?client=${client.id}&attachments=on`)).text);
      expect(withAttachments.includes(`data-communication="${narrowed.id}"`), `${reader} filter narrowed`).toBe(visible.includes("narrowed"));
      expect(withAttachments.includes(`data-communication="${plain.id}"`), `${reader} filter plain`).toBe(true);
    }
    // a guessed unlink by someone who cannot see the attachment changes nothing
    const edit = await postWithFiles(agents.admin, `/communications/${narrowed.id}/edit`, `/communications/${narrowed.id}`, { ...formOf({ subject: "Narrowed call" }), removeAttachmentIds: narrowed.documentId }, []);
    expect(edit.status).toBe(302);
    expect(await t.db.communicationDocument.count({ where: { communicationId: narrowed.id } })).toBe(1);
  });
});

describe("editing and deleting", () => {
  it("the edit form adds files and removes attachments (unlinking only), audited; marking it privileged makes its attachments privileged", async () => {
    const client = await clientWithTeam();
    expect((await logWithFiles(agents.team, client.id, { subject: "Board pack" }, [{ bytes: pdfWithText("pack one"), name: "pack-one.pdf" }])).status).toBe(302);
    const m = await t.db.communication.findFirstOrThrow({ where: { clientId: client.id }, include: { attachments: true } });
    const first = m.attachments[0]!.documentId;
    const form = await agents.team.get(`/communications/${m.id}/edit`);
    expect(form.text).toContain('enctype="multipart/form-data"');
    expect(form.text).toContain(`name="removeAttachmentIds" value="${first}"`);
    const updatedAt = /name="updatedAt" value="([^"]+)"/.exec(form.text)![1]!;

    const res = await postWithFiles(agents.team, `/communications/${m.id}/edit`, `/communications/${m.id}`, { ...formOf({ subject: "Board pack, final", privileged: "on" }), updatedAt, removeAttachmentIds: first }, [{ bytes: pdfWithText("pack two"), name: "pack-two.pdf" }]);
    expect(res.status).toBe(302);
    const links = await t.db.communicationDocument.findMany({ where: { communicationId: m.id }, include: { document: true } });
    expect(links.map((l) => l.document.fileName)).toEqual(["pack-two.pdf"]);
    expect(links[0]!.document.privileged).toBe(true);
    const kept = await t.db.document.findUniqueOrThrow({ where: { id: first } });
    expect(kept.deletedAt).toBeNull(); // unlinked, not deleted
    const audit = await t.db.auditEvent.findFirstOrThrow({ where: { action: "communication.update", entityId: m.id } });
    const changes = audit.changes as Record<string, { before: unknown; after: unknown }>;
    expect(changes.attachments).toEqual({ before: [first], after: [links[0]!.documentId] });
    expect(changes.subject).toEqual({ before: "Board pack", after: "Board pack, final" });

    // a communication whose plain attachment is already stored, turned privileged afterwards:
    expect((await logWithFiles(agents.team, client.id, { subject: "Later privileged" }, [{ bytes: pdfWithText("later"), name: "later.pdf" }])).status).toBe(302);
    const later = await t.db.communication.findFirstOrThrow({ where: { subject: "Later privileged" }, include: { attachments: true } });
    const laterForm = await agents.team.get(`/communications/${later.id}/edit`);
    const laterAt = /name="updatedAt" value="([^"]+)"/.exec(laterForm.text)![1]!;
    expect((await postForm(agents.team, `/communications/${later.id}/edit`, `/communications/${later.id}`, { ...formOf({ subject: "Later privileged", privileged: "on" }), updatedAt: laterAt })).status).toBe(302);
    const laterDoc = await t.db.document.findUniqueOrThrow({ where: { id: later.attachments[0]!.documentId } });
    expect(laterDoc.privileged).toBe(true);
    expect(await t.db.auditEvent.count({ where: { action: "document.update", entityId: laterDoc.id } })).toBe(1);

    // a refused file on edit: nothing changes, the typed values stay
    const exe = Buffer.concat([Buffer.from("MZ"), Buffer.alloc(100, 1)]);
    const refused = await postWithFiles(agents.team, `/communications/${m.id}/edit`, `/communications/${m.id}`, { ...formOf({ subject: "Should not save" }) }, [{ bytes: exe, name: "x.pdf" }]);
    expect(refused.status).toBe(422);
    expect(decodeHtml(refused.text)).toContain('value="Should not save"');
    expect((await t.db.communication.findUniqueOrThrow({ where: { id: m.id } })).subject).toBe("Board pack, final");
    expect(await t.db.communicationDocument.count({ where: { communicationId: m.id } })).toBe(1);
  });

  it("deleting a communication soft-deletes it only: its attachments stay the client's documents", async () => {
    const client = await clientWithTeam();
    expect((await logWithFiles(agents.team, client.id, { subject: "To be deleted" }, [{ bytes: pdfWithText("stays"), name: "stays.pdf" }])).status).toBe(302);
    const m = await t.db.communication.findFirstOrThrow({ where: { clientId: client.id }, include: { attachments: true } });
    const documentId = m.attachments[0]!.documentId;
    expect((await postForm(agents.team, `/communications/${m.id}/delete`, `/communications/${m.id}/delete`, {})).status).toBe(302);
    expect((await t.db.communication.findUniqueOrThrow({ where: { id: m.id } })).deletedAt).not.toBeNull();
    expect((await t.db.document.findUniqueOrThrow({ where: { id: documentId } })).deletedAt).toBeNull();
    expect((await agents.team.get(`/documents/${documentId}`)).status).toBe(200);
    expect((await agents.team.get(`/communications/${m.id}`)).status).toBe(404);
    const audit = await t.db.auditEvent.findFirstOrThrow({ where: { action: "communication.delete", entityId: m.id } });
    expect(JSON.stringify(audit.changes)).toContain(documentId);
  });
});

describe("timelines with documents and the attachments filter", () => {
  it("the client timeline shows document uploads and new versions newest first among the other events, filterable", async () => {
    const client = await clientWithTeam();
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId: caseTypeId, managerId: caseStaff.id });
    const older = await logAs(t.db, teamStaff, client.id, { subject: "Plain older call", occurredAt: new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 16) });
    expect((await logWithFiles(agents.team, client.id, { subject: "Call with a file" }, [{ bytes: pdfWithText("tl"), name: "timeline-file.pdf" }])).status).toBe(302);
    const withFile = await t.db.communication.findFirstOrThrow({ where: { subject: "Call with a file" } });
    // a document uploaded on its own, later, with a second version
    const { upload, uploadVersion } = await import("../documents/support.ts");
    const typeOther = (await t.db.documentType.findUniqueOrThrow({ where: { code: "other" } })).id;
    expect((await upload(agents.admin, `/clients/${client.id}`, { typeId: typeOther, clientId: client.id, title: "Standalone memo" }, [{ bytes: pdfWithText("memo"), name: "memo.pdf" }])).status).toBe(303);
    const memo = await t.db.document.findFirstOrThrow({ where: { title: "Standalone memo" } });
    expect((await uploadVersion(agents.admin, memo.id, { bytes: pdfWithText("memo v2"), name: "memo-v2.pdf" })).status).toBe(303);
    // a case-only document the team (not on the case) must not see on the timeline
    expect((await upload(agents.admin, `/cases/${kase.id}/documents`, { typeId: typeOther, caseId: kase.id, title: "Case working paper" }, [{ bytes: pdfWithText("wp"), name: "wp.pdf" }])).status).toBe(303);

    const html = decodeHtml((await agents.admin.get(`/clients/${client.id}/timeline`)).text);
    const order = ["Case working paper", "memo-v2.pdf", "memo.pdf", "Call with a file", "Plain older call"].map((s) => html.indexOf(s));
    expect(order.every((i) => i > 0), JSON.stringify(order)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).toContain("New version");
    expect(html).toContain("uploaded by Ada Admin");
    const team = decodeHtml((await agents.team.get(`/clients/${client.id}/timeline`)).text);
    expect(team).toContain("Standalone memo");
    expect(team).not.toContain("Case working paper");

    const ids = (s: string) => [...s.matchAll(/data-communication="([0-9a-f-]{36})"/g)].map((m) => m[1]!);
    const attached = (await agents.admin.get(`/clients/${client.id}/timeline?attachments=on`)).text;
    expect(ids(attached)).toEqual([withFile.id]);
    expect(attached).not.toContain("Standalone memo");
    const docsOnly = decodeHtml((await agents.admin.get(`/clients/${client.id}/timeline?show=documents`)).text);
    expect(ids(docsOnly)).toEqual([]);
    expect(docsOnly).toContain("Standalone memo");
    expect(docsOnly).toContain("timeline-file.pdf");
    expect(docsOnly).not.toContain("Case opened");
    const commsOnly = (await agents.admin.get(`/clients/${client.id}/timeline?show=communications`)).text;
    expect(ids(commsOnly)).toEqual([withFile.id, older.id]);
    expect(commsOnly).not.toContain("Standalone memo");
    const casesOnly = decodeHtml((await agents.admin.get(`/clients/${client.id}/timeline?show=cases`)).text);
    expect(casesOnly).toContain("Case opened");
    expect(casesOnly).not.toContain("Standalone memo");
    // the firm-wide list's filter
    expect(ids((await agents.admin.get(`/communications?client=${client.id}&attachments=on`)).text)).toEqual([withFile.id]);
  });

  it("a case's timeline shows its communications and the documents filed on it or linked to it", async () => {
    const client = await clientWithTeam();
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId: caseTypeId, managerId: caseStaff.id });
    const other = await openCase(t.db, admin, { clientId: client.id, typeId: caseTypeId, managerId: caseStaff.id });
    const { upload } = await import("../documents/support.ts");
    const typeOther = (await t.db.documentType.findUniqueOrThrow({ where: { code: "other" } })).id;
    await upload(agents.case, `/cases/${kase.id}/documents`, { typeId: typeOther, caseId: kase.id, title: "Filed here" }, [{ bytes: pdfWithText("a"), name: "a.pdf" }]);
    await upload(agents.case, `/cases/${other.id}/documents`, { typeId: typeOther, caseId: other.id, title: "Filed elsewhere" }, [{ bytes: pdfWithText("b"), name: "b.pdf" }]);
    await upload(agents.case, `/cases/${other.id}/documents`, { typeId: typeOther, caseId: other.id, title: "Linked in" }, [{ bytes: pdfWithText("c"), name: "c.pdf" }]);
    const linked = await t.db.document.findFirstOrThrow({ where: { title: "Linked in" } });
    expect((await postForm(agents.case, `/cases/${kase.id}/documents`, `/cases/${kase.id}/documents/links`, { documentId: linked.id })).status).toBe(303);
    await logAs(t.db, caseStaff, client.id, { subject: "Case-linked call", caseId: kase.id });
    const html = decodeHtml((await agents.case.get(`/cases/${kase.id}/communications`)).text);
    expect(html).toContain("Filed here");
    expect(html).toContain("Linked in");
    expect(html).toContain("Case-linked call");
    expect(html).not.toContain("Filed elsewhere");
    const docsOnly = decodeHtml((await agents.case.get(`/cases/${kase.id}/communications?show=documents`)).text);
    expect(docsOnly).not.toContain("Case-linked call");
    expect(docsOnly).toContain("Filed here");
    expect((await agents.off.get(`/cases/${kase.id}/communications`)).status).toBe(404);
  });
});
