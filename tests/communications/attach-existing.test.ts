// Attaching an EXISTING document of the same client to a communication, on the log form and the edit form: the
// picker offers the client's documents the reader may see (the document rule), the link is written to
// communication_documents in the communication's transaction, removing unlinks (the document stays), and a document
// of another client or one the reader may not see is refused with the same message as a missing one, nothing written.
import os from "node:os";
import path from "node:path";
import { mkdtemp, rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { csrfToken, postForm, signedIn, type Agent } from "../helpers/http.ts";
import { decodeHtml, fieldBlock } from "../clients/support.ts";
import { pdfWithText, typeId, upload } from "../documents/support.ts";
import { formOf, makeCaseType, makeClient, openCase } from "./support.ts";

let t: TestApp;
let dataDir: string;
type User = Awaited<ReturnType<typeof makeUser>>;
let admin: User, teamStaff: User, caseStaff: User, offStaff: User;
const agents = {} as Record<"admin" | "team" | "case" | "off", Agent>;
let caseTypeId: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "clientdesk-comm-existing-"));
  t = await createTestApp({ DATA_DIR: dataDir });
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

async function uploaded(agent: Agent, fields: Record<string, string>, name: string) {
  const title = `${name}-${Math.random().toString(36).slice(2, 8)}`;
  const res = await upload(agent, "/documents", { typeId: await typeId(t.db, "other"), title, ...fields }, [{ bytes: pdfWithText(`text of ${name}`), name: `${name}.pdf` }]);
  expect(res.status).toBe(303);
  return t.db.document.findFirstOrThrow({ where: { title } });
}

/** The option values of the picker on a page (empty when the picker is absent). */
function pickerOptions(html: string): string[] {
  const select = /<select id="f-existingDocumentIds"[^>]*>([\s\S]*?)<\/select>/.exec(html);
  return select ? [...select[1]!.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]!) : [];
}

const logForm = (agent: Agent, clientId: string, fields: Record<string, string | string[]>) => postForm(agent, `/clients/${clientId}`, `/clients/${clientId}/communications`, formOf(fields));
const linksOf = async (communicationId: string) => (await t.db.communicationDocument.findMany({ where: { communicationId }, select: { documentId: true } })).map((l) => l.documentId).sort();

describe("attaching existing documents", () => {
  let client: Awaited<ReturnType<typeof makeClient>>;
  let other: Awaited<ReturnType<typeof makeClient>>;
  const docs = {} as Record<"plain" | "privileged" | "onCase" | "foreign", { id: string; title: string }>;
  // Who may see which document (the document rule): the team sees the client's privileged material but not the case;
  // the case's manager the case but not privileged material; the administrator (not on the team) likewise; off staff plain only.
  const SEES: Record<keyof typeof agents, (keyof typeof docs)[]> = {
    team: ["plain", "privileged"],
    case: ["plain", "onCase"],
    admin: ["plain", "onCase"],
    off: ["plain"],
  };

  beforeAll(async () => {
    client = await makeClient(t.db, admin.id, { name: "Existing Docs Ltd", teamUserIds: [teamStaff.id] });
    other = await makeClient(t.db, admin.id, { name: "Other Client Ltd" });
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId: caseTypeId, managerId: caseStaff.id });
    docs.plain = await uploaded(agents.team, { clientId: client.id }, "plain-letter");
    docs.privileged = await uploaded(agents.team, { clientId: client.id, privileged: "on" }, "privileged-advice");
    docs.onCase = await uploaded(agents.admin, { caseId: kase.id }, "case-memo");
    docs.foreign = await uploaded(agents.admin, { clientId: other.id }, "foreign-contract");
  });

  it("the log form's picker offers exactly the client's documents the reader may see", async () => {
    for (const [reader, visible] of Object.entries(SEES) as [keyof typeof agents, (keyof typeof docs)[]][]) {
      const full = pickerOptions((await agents[reader].get(`/clients/${client.id}/communications/new`)).text);
      expect(full.sort(), reader).toEqual(visible.map((k) => docs[k].id).sort());
      // the quick form on the client page has the same picker
      const quick = pickerOptions((await agents[reader].get(`/clients/${client.id}`)).text);
      expect(quick.sort(), `${reader} quick form`).toEqual(visible.map((k) => docs[k].id).sort());
    }
  });

  it("links a visible document in the communication's transaction, audited; refuses a hidden one or another client's with nothing written", async () => {
    for (const [reader, visible] of Object.entries(SEES) as [keyof typeof agents, (keyof typeof docs)[]][]) {
      for (const key of Object.keys(docs) as (keyof typeof docs)[]) {
        const subject = `Existing ${key} by ${reader}`;
        const before = await t.db.communicationDocument.count();
        const res = await logForm(agents[reader], client.id, { subject, existingDocumentIds: docs[key].id });
        const created = await t.db.communication.findFirst({ where: { subject } });
        if (visible.includes(key)) {
          expect(res.status, `${reader} ${key}`).toBe(302);
          expect(await linksOf(created!.id), `${reader} ${key}`).toEqual([docs[key].id]);
          const audit = await t.db.auditEvent.findFirstOrThrow({ where: { action: "communication.create", entityId: created!.id } });
          expect((audit.changes as Record<string, { after: unknown }>).attachments?.after).toEqual([docs[key].id]);
          // it shows on the communication's page and the client's timeline
          expect((await agents[reader].get(`/communications/${created!.id}`)).text).toContain(`/documents/${docs[key].id}/download`);
        } else {
          expect(res.status, `${reader} ${key}`).toBe(422);
          const block = decodeHtml(fieldBlock(res.text, "existingDocumentIds"));
          expect(block, `${reader} ${key}`).toContain("a document was not found");
          // the form keeps what was typed, and never names the hidden document
          expect(decodeHtml(res.text)).toContain(subject);
          expect(res.text).not.toContain(docs[key].title);
          expect(created, `${reader} ${key}`).toBeNull();
          expect(await t.db.communicationDocument.count()).toBe(before);
        }
      }
    }
    // the document is unchanged: still the client's, not re-filed or re-classified by the link
    expect(await t.db.document.findUniqueOrThrow({ where: { id: docs.plain.id } })).toMatchObject({ clientId: client.id, privileged: false });
  });

  it("a multipart form takes new files and several existing documents together", async () => {
    const token = await csrfToken(agents.case, `/clients/${client.id}`);
    const req = agents.case.post(`/clients/${client.id}/communications`).field("_csrf", token);
    for (const [k, v] of Object.entries(formOf({ subject: "Mixed attachments" }))) req.field(k, v as string);
    req.field("existingDocumentIds", docs.plain.id).field("existingDocumentIds", docs.onCase.id);
    req.attach("attachments", pdfWithText("fresh"), { filename: "fresh.pdf", contentType: "application/octet-stream" });
    const res = await req;
    expect(res.status).toBe(302);
    const m = await t.db.communication.findFirstOrThrow({ where: { subject: "Mixed attachments" } });
    const fresh = await t.db.document.findFirstOrThrow({ where: { fileName: "fresh.pdf" } });
    expect(await linksOf(m.id)).toEqual([docs.plain.id, docs.onCase.id, fresh.id].sort());
    // a refused existing document stores no file either
    const count = await t.db.document.count();
    const token2 = await csrfToken(agents.case, `/clients/${client.id}`);
    const bad = agents.case.post(`/clients/${client.id}/communications`).field("_csrf", token2);
    for (const [k, v] of Object.entries(formOf({ subject: "Refused mix" }))) bad.field(k, v as string);
    bad.field("existingDocumentIds", docs.foreign.id).attach("attachments", pdfWithText("never"), { filename: "never.pdf", contentType: "application/octet-stream" });
    expect((await bad).status).toBe(422);
    expect(await t.db.document.count()).toBe(count);
    expect(await t.db.communication.findFirst({ where: { subject: "Refused mix" } })).toBeNull();
  });

  it("the edit form attaches further documents, offers only those not yet attached, and removing unlinks (the document stays)", async () => {
    expect((await logForm(agents.team, client.id, { subject: "Edited attachments", existingDocumentIds: docs.plain.id })).status).toBe(302);
    const m = await t.db.communication.findFirstOrThrow({ where: { subject: "Edited attachments" } });
    const editPage = await agents.team.get(`/communications/${m.id}/edit`);
    const offered = pickerOptions(editPage.text);
    expect(offered).toContain(docs.privileged.id);
    expect(offered).not.toContain(docs.plain.id);
    expect(offered).not.toContain(docs.onCase.id);
    const edit = (fields: Record<string, string | string[]>) =>
      postForm(agents.team, `/communications/${m.id}/edit`, `/communications/${m.id}`, formOf({ subject: "Edited attachments", ...fields }));
    expect((await edit({ existingDocumentIds: docs.privileged.id })).status).toBe(302);
    expect(await linksOf(m.id)).toEqual([docs.plain.id, docs.privileged.id].sort());
    const audit = await t.db.auditEvent.findFirstOrThrow({ where: { action: "communication.update", entityId: m.id }, orderBy: { id: "desc" } });
    expect((audit.changes as Record<string, { before: unknown; after: unknown }>).attachments).toEqual({ before: [docs.plain.id], after: [docs.plain.id, docs.privileged.id].sort() });
    // another client's document, or one the editor may not see (the case memo): refused, nothing written
    for (const key of ["foreign", "onCase"] as const) {
      const res = await edit({ subject: "Renamed by a refused edit", existingDocumentIds: docs[key].id });
      expect(res.status, key).toBe(422);
      expect(decodeHtml(fieldBlock(res.text, "existingDocumentIds"))).toContain("a document was not found");
      expect(await linksOf(m.id)).toEqual([docs.plain.id, docs.privileged.id].sort());
      expect((await t.db.communication.findUniqueOrThrow({ where: { id: m.id } })).subject).toBe("Edited attachments");
    }
    // removing unlinks; the document stays the client's
    expect((await edit({ removeAttachmentIds: docs.plain.id })).status).toBe(302);
    expect(await linksOf(m.id)).toEqual([docs.privileged.id]);
    expect(await t.db.document.findUniqueOrThrow({ where: { id: docs.plain.id } })).toMatchObject({ clientId: client.id, deletedAt: null });
    // and it is offered again
    const again = pickerOptions((await agents.team.get(`/communications/${m.id}/edit`)).text);
    expect(again).toContain(docs.plain.id);
    expect(again).not.toContain(docs.privileged.id);
  });

  it("a guessed client or communication is a 404 before any document is looked at", async () => {
    const hidden = await makeClient(t.db, admin.id, { name: "Hidden For Off", isConfidential: true, teamUserIds: [teamStaff.id] });
    const token = await csrfToken(agents.off, `/clients/${client.id}`);
    const res = await agents.off.post(`/clients/${hidden.id}/communications`).type("form").send({ _csrf: token, ...formOf({ subject: "Guess" }), existingDocumentIds: docs.plain.id });
    expect(res.status).toBe(404);
    expect(await t.db.communication.findFirst({ where: { subject: "Guess" } })).toBeNull();
  });
});
