// The document rule as a matrix: every role and flag against documents of every kind of parent, on every route that
// reads a document. A hidden document answers 404 everywhere and its title and extracted text appear nowhere.
import os from "node:os";
import path from "node:path";
import { mkdtemp, rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { postForm, signedIn, type Agent } from "../helpers/http.ts";
import { makeClient } from "../clients/support.ts";
import { makeCaseType, openCase } from "../cases/support.ts";
import { pdfWithText, png, typeId, upload } from "./support.ts";

type Reader = "admin" | "adminVC" | "manager" | "managerOtherDept" | "teamStaff" | "caseStaff" | "offStaff" | "staffVC" | "legal";
type Doc = "plain" | "restricted" | "privileged" | "privilegedClient" | "caseOnly" | "caseOnlyRestricted" | "caseOnlyPrivilegedClient" | "deleted";

/**
 * Who sees which document, from DOMAIN.md: a document linked to a client follows the client (restricted clients:
 * their team and view-confidential holders, admins not exempt); one linked to a case only follows the case (its
 * manager and team, the manager's department's managers, admins; never when the client is hidden); privileged
 * documents and documents of privileged clients only the client's team; deleted documents nobody.
 */
const SEES: Record<Reader, Doc[]> = {
  admin: ["plain", "caseOnly"],
  adminVC: ["plain", "restricted", "caseOnly", "caseOnlyRestricted"],
  manager: ["plain", "caseOnly"], // same department as caseStaff, who manages the cases
  managerOtherDept: ["plain"],
  // On every client's team, on no case: a document filed on a case only needs the case too, so the privileged
  // client's case document is hidden from everyone here (its case's readers are not on the client's team).
  teamStaff: ["plain", "restricted", "privileged", "privilegedClient"],
  caseStaff: ["plain", "caseOnly"], // manages the cases, on no client's team
  offStaff: ["plain"],
  staffVC: ["plain", "restricted"],
  legal: ["plain"],
};
const READERS = Object.keys(SEES) as Reader[];
const DOCS: Doc[] = ["plain", "restricted", "privileged", "privilegedClient", "caseOnly", "caseOnlyRestricted", "caseOnlyPrivilegedClient", "deleted"];

let t: TestApp;
let dataDir: string;
const agents = {} as Record<Reader, Agent>;
const docs = {} as Record<Doc, { id: string; title: string; secret: string }>;
let plainClientId: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "clientdesk-docs-vis-"));
  t = await createTestApp({ DATA_DIR: dataDir });
  const users = {
    admin: await makeUser(t.db, { role: "admin" }),
    adminVC: await makeUser(t.db, { role: "admin", viewConfidential: true }),
    manager: await makeUser(t.db, { role: "manager", department: "Tax" }),
    managerOtherDept: await makeUser(t.db, { role: "manager", department: "Audit" }),
    teamStaff: await makeUser(t.db, { role: "staff" }),
    caseStaff: await makeUser(t.db, { role: "staff", department: "Tax" }),
    offStaff: await makeUser(t.db, { role: "staff" }),
    staffVC: await makeUser(t.db, { role: "staff", viewConfidential: true }),
    legal: await makeUser(t.db, { role: "staff", legalTeam: true }),
  };
  for (const r of READERS) agents[r] = await signedIn(t.app, users[r].email);
  const team = { teamUserIds: [users.teamStaff.id] };
  const plain = await makeClient(t.db, users.admin.id, { name: "Open Client", ...team });
  plainClientId = plain.id;
  const restricted = await makeClient(t.db, users.admin.id, { name: "Quiet Client", isConfidential: true, ...team });
  const privilegedClient = await makeClient(t.db, users.admin.id, { name: "Counsel Client", dataClassification: "privileged", ...team });
  const { type } = await makeCaseType(t.db);
  const caseOf = (clientId: string) => openCase(t.db, users.adminVC, { clientId, typeId: type.id, managerId: users.caseStaff.id });
  const [plainCase, restrictedCase, privilegedCase] = [await caseOf(plain.id), await caseOf(restricted.id), await caseOf(privilegedClient.id)];
  const other = await typeId(t.db, "other");

  const make = async (key: Doc, by: Reader, fields: Record<string, string>, file = { bytes: pdfWithText(`pdf ${key}`), name: `${key}.pdf` }) => {
    const title = `Title-${key}-${Math.random().toString(36).slice(2, 8)}`;
    const res = await upload(agents[by], "/documents", { typeId: other, title, ...fields }, [file]);
    if (res.status !== 303) throw new Error(`upload of ${key} failed: ${res.status}`);
    const doc = await t.db.document.findFirstOrThrow({ where: { title } });
    const secret = `secretword${key.toLowerCase()}`;
    await t.db.document.update({ where: { id: doc.id }, data: { contentText: `The text inside mentions ${secret} once.`, textStatus: "done" } });
    docs[key] = { id: doc.id, title, secret };
  };
  await make("plain", "teamStaff", { clientId: plain.id }, { bytes: png(), name: "plain.png" });
  await make("restricted", "teamStaff", { clientId: restricted.id });
  await make("privileged", "teamStaff", { clientId: plain.id, privileged: "on" });
  await make("privilegedClient", "teamStaff", { clientId: privilegedClient.id });
  await make("caseOnly", "caseStaff", { caseId: plainCase.id });
  await make("caseOnlyRestricted", "adminVC", { caseId: restrictedCase.id });
  await make("caseOnlyPrivilegedClient", "adminVC", { caseId: privilegedCase.id });
  await make("deleted", "teamStaff", { clientId: plain.id });
  await t.db.document.update({ where: { id: docs.deleted.id }, data: { deletedAt: new Date() } });
}, 120_000);
afterAll(async () => {
  await t.close();
  await rm(dataDir, { recursive: true, force: true });
});

const ROUTES = (id: string) => [`/documents/${id}`, `/documents/${id}/download`, `/documents/${id}/preview`, `/documents/${id}/versions/1/download`, `/documents/${id}/versions/1/preview`, `/documents/${id}/delete`];

describe.each(READERS)("reading documents as %s", (reader) => {
  it("opens exactly the documents the rule allows, on every route, and 404s the rest without a trace", async () => {
    const agent = agents[reader];
    for (const key of DOCS) {
      const visible = SEES[reader].includes(key);
      for (const route of ROUTES(docs[key].id)) {
        const res = await agent.get(route);
        const expected = visible ? 200 : 404;
        expect(res.status, `${reader} GET ${route} (${key})`).toBe(expected);
        if (!visible) expect(res.text ?? "", `${reader} ${route}`).not.toContain(docs[key].title);
      }
    }
  });

  it("lists, searches (title and extracted text) and counts only the visible documents", async () => {
    const agent = agents[reader];
    const list = (await agent.get("/documents?perPage=100")).text;
    for (const key of DOCS) {
      const visible = SEES[reader].includes(key);
      expect(list.includes(docs[key].title), `${reader} list ${key}`).toBe(visible);
      const byText = (await agent.get(`/documents?q=${docs[key].secret}`)).text;
      expect(byText.includes(docs[key].title), `${reader} text search ${key}`).toBe(visible);
      expect(byText, `${reader} count ${key}`).toContain(visible ? "1 document matches" : "0 documents match");
      const byTitle = (await agent.get(`/documents?q=${encodeURIComponent(docs[key].title)}`)).text;
      expect(byTitle.includes(`data-document-row="${docs[key].id}"`), `${reader} title search ${key}`).toBe(visible);
    }
    expect(list).toContain(`${SEES[reader].length} document${SEES[reader].length === 1 ? "" : "s"}.`);
  });

  it("changes nothing it may not see: edit, delete and new versions of a hidden document answer 404", async () => {
    const agent = agents[reader];
    for (const key of DOCS.filter((k) => !SEES[reader].includes(k))) {
      const id = docs[key].id;
      expect((await postForm(agent, "/documents", `/documents/${id}`, { title: "Renamed", typeId: await typeId(t.db, "other") })).status, `${reader} edit ${key}`).toBe(404);
      expect((await postForm(agent, "/documents", `/documents/${id}/delete`, {})).status, `${reader} delete ${key}`).toBe(404);
    }
    const hidden = DOCS.find((k) => !SEES[reader].includes(k))!;
    const token = /name="_csrf" value="([^"]+)"/.exec((await agent.get("/documents")).text)![1]!;
    const res = await agent.post(`/documents/${docs[hidden].id}/versions`).field("_csrf", token).attach("file", pdfWithText("sneaky"), "sneaky.pdf");
    expect(res.status).toBe(404);
    expect((await t.db.document.findUniqueOrThrow({ where: { id: docs[hidden].id } })).versionCount).toBe(1);
  });
});

describe("around the documents", () => {
  it("shows a client page's documents by the same rule", async () => {
    const teamPage = (await agents.teamStaff.get(`/clients/${plainClientId}`)).text;
    const offPage = (await agents.offStaff.get(`/clients/${plainClientId}`)).text;
    expect(teamPage).toContain(docs.privileged.title);
    expect(offPage).toContain(docs.plain.title);
    expect(offPage).not.toContain(docs.privileged.title);
    expect(offPage).not.toContain(docs.deleted.title);
  });

  it("leaves hidden documents' events out of the audit page, and audits reads of restricted and privileged documents", async () => {
    await agents.teamStaff.get(`/documents/${docs.privileged.id}`);
    await agents.staffVC.get(`/documents/${docs.restricted.id}/download`);
    await agents.offStaff.get(`/documents/${docs.plain.id}`);
    const reads = await t.db.auditEvent.findMany({ where: { action: { in: ["document.read", "document.download"] } } });
    expect(reads.some((e) => e.entityId === docs.privileged.id && e.action === "document.read")).toBe(true);
    expect(reads.some((e) => e.entityId === docs.restricted.id && e.action === "document.download")).toBe(true);
    expect(reads.some((e) => e.entityId === docs.plain.id)).toBe(false);
    const audit = (await agents.admin.get("/admin/audit?entityType=document&perPage=200")).text;
    expect(audit).toContain(docs.plain.id.slice(0, 8));
    for (const key of DOCS.filter((k) => !SEES.admin.includes(k) && k !== "deleted")) {
      expect(audit, key).not.toContain(docs[key].id.slice(0, 8));
      expect(audit, key).not.toContain(docs[key].title);
    }
    const vcAudit = (await agents.adminVC.get("/admin/audit?entityType=document&perPage=200")).text;
    expect(vcAudit).toContain(docs.restricted.id.slice(0, 8));
    expect(vcAudit).not.toContain(docs.privileged.id.slice(0, 8));
  });

  it("follows a client's restriction and classification changed after the upload (the copies on each document follow)", async () => {
    const sees = async (reader: Reader, key: Doc) => {
      const detail = (await agents[reader].get(`/documents/${docs[key].id}`)).status;
      const listed = (await agents[reader].get("/documents?perPage=100")).text.includes(docs[key].title);
      expect(listed, `${reader} list ${key}`).toBe(detail === 200);
      return detail === 200;
    };
    const copiesMatch = async () => {
      const { rows } = await t.database.pool.query<{ n: number }>(
        // The parent client: the document's own, or for a document filed on a case only, the case's.
        `SELECT count(*)::int AS n FROM documents d LEFT JOIN cases k ON k.id = d.case_id LEFT JOIN clients c ON c.id = coalesce(d.client_id, k.client_id)
         WHERE (d.client_confidential, d.client_privileged) IS DISTINCT FROM (coalesce(c.is_confidential, FALSE), coalesce(c.data_classification = 'privileged', FALSE))`,
      );
      expect(rows[0]!.n).toBe(0);
    };
    await t.db.client.update({ where: { id: plainClientId }, data: { isConfidential: true } });
    await copiesMatch();
    expect([await sees("offStaff", "plain"), await sees("admin", "plain"), await sees("staffVC", "plain"), await sees("teamStaff", "plain")]).toEqual([false, false, true, true]);
    await t.db.client.updateMany({ where: { id: plainClientId }, data: { isConfidential: false, dataClassification: "privileged" } });
    await copiesMatch();
    // The case-only document of the now privileged client is privileged material: the filter finds it by its row.
    const flagged = async () => (await t.database.pool.query<{ id: string }>(`SELECT id FROM documents WHERE deleted_at IS NULL AND (privileged OR client_privileged)`)).rows.map((r) => r.id);
    expect(await flagged()).toContain(docs.caseOnly.id);
    expect([await sees("offStaff", "plain"), await sees("staffVC", "plain"), await sees("adminVC", "plain"), await sees("teamStaff", "plain")]).toEqual([false, false, false, true]);
    await t.db.client.update({ where: { id: plainClientId }, data: { dataClassification: "confidential" } });
    await copiesMatch();
    expect(await flagged()).not.toContain(docs.caseOnly.id);
    expect([await sees("offStaff", "plain"), await sees("offStaff", "privileged")]).toEqual([true, false]);
    // A value written to a copy is replaced by the client's; a document moved to another client takes that client's.
    await t.database.pool.query(`UPDATE documents SET client_confidential = TRUE, client_privileged = TRUE WHERE id = $1`, [docs.plain.id]);
    await copiesMatch();
    const quiet = await t.db.client.findFirstOrThrow({ where: { name: "Quiet Client" } });
    await t.db.document.update({ where: { id: docs.plain.id }, data: { clientId: quiet.id } });
    await copiesMatch();
    expect(await sees("offStaff", "plain")).toBe(false);
    await t.db.document.update({ where: { id: docs.plain.id }, data: { clientId: plainClientId } });
    expect(await sees("offStaff", "plain")).toBe(true);
    // A case moved to another client: the documents filed on it only take that client's values, and back.
    const caseOnly = await t.db.document.findUniqueOrThrow({ where: { id: docs.caseOnly.id }, select: { caseId: true } });
    const restrictedClient = await t.db.case.findFirstOrThrow({ where: { documents: { some: { id: docs.caseOnlyRestricted.id } } }, select: { clientId: true } });
    await t.db.case.update({ where: { id: caseOnly.caseId! }, data: { clientId: restrictedClient.clientId } });
    await copiesMatch();
    expect(await sees("caseStaff", "caseOnly")).toBe(false);
    await t.db.case.update({ where: { id: caseOnly.caseId! }, data: { clientId: plainClientId } });
    await copiesMatch();
    expect(await sees("caseStaff", "caseOnly")).toBe(true);
  });
});
