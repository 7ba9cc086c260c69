// The app process killed (SIGKILL) in the middle of a bounded burst of writes on 127.0.0.1: creates (clients, cases
// with their stages), edits, status changes and document uploads from several clients at once. After a restart on the
// same data folder, every write whose acknowledgement the client saw is there and complete (with its audit row, found
// by the request id the client sent, holding the change), and nothing is half-written: every case has all its
// stages, every document its version and its file, counters agree with their rows, every record its audit row.
import { createHash, randomUUID } from "node:crypto";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { connectDatabase } from "../../src/db/client.ts";
import { freePort } from "../../src/db/embedded.ts";
import { csrfTokenIn } from "../helpers/http.ts";
import { killServers, listening, startServer, type ServerProcess } from "../helpers/server-process.ts";
import { caseFormFields, makeCaseType } from "../cases/support.ts";
import { formFields } from "../clients/support.ts";
import { pdfWithText } from "../documents/support.ts";

const ADMIN = { ADMIN_EMAIL: "owner@example.test", ADMIN_PASSWORD: "juniper voltage 58 marble lagoon" };
const WORKERS = 6;
/** Bounds of the burst: units of work per worker, and time. */
const MAX_UNITS = 25;
const BURST_MS = 120_000;
const STAGES = ["Intake", "Analysis", "Advice", "Close"];

const temporary: string[] = [];
afterEach(async () => {
  await killServers();
  for (const dir of temporary.splice(0)) await rm(dir, { recursive: true, force: true, maxRetries: 50, retryDelay: 200 });
});

async function tempDir(mode: number): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "clientdesk-crash-"));
  await chmod(dir, mode);
  temporary.push(dir);
  return dir;
}

async function databaseUrlOf(server: ServerProcess, pgPort: number): Promise<string> {
  const match = /embedded PostgreSQL running, data in (\S+) \(set EMBEDDED_PG_DIR/.exec(server.output());
  if (!match?.[1]) throw new Error(`no cluster folder in the output:\n${server.output()}`);
  const password = (await readFile(path.join(match[1], "pg-password"), "utf8")).trim();
  return `postgresql://clientdesk:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/clientdesk`;
}

async function signIn(server: ServerProcess) {
  const agent = request.agent(`http://127.0.0.1:${server.port}`);
  const login = await agent.get("/login");
  const res = await agent.post("/login").type("form").send({ _csrf: csrfTokenIn(login.text), email: ADMIN.ADMIN_EMAIL, password: ADMIN.ADMIN_PASSWORD });
  expect(res.status).toBe(302);
  const form = await agent.get("/clients/new");
  return { agent, token: csrfTokenIn(form.text) };
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** What the client saw acknowledged, each with the request id it sent (the audit row carries it). */
interface Acknowledged {
  clients: { id: string; name: string; requestId: string }[];
  edits: { clientId: string; notes: string; requestId: string }[];
  documents: { clientId: string; fileName: string; sha256: string; requestId: string }[];
  cases: { id: string; clientId: string; requestId: string }[];
  statusChanges: { caseId: string; requestId: string }[];
}

function burst(session: Awaited<ReturnType<typeof signIn>>, setup: { typeId: string; documentTypeId: string; adminId: string }) {
  const acked: Acknowledged = { clients: [], edits: [], documents: [], cases: [], statusChanges: [] };
  let running = true;
  let attempts = 0;
  const { agent, token } = session;
  const deadline = Date.now() + BURST_MS;
  const unit = async (w: number, n: number) => {
    attempts++;
    // A client created through its form.
    const name = `Crash W${w} U${String(n).padStart(2, "0")} Holdings`;
    let requestId = randomUUID();
    const created = await agent.post("/clients").set("X-Request-Id", requestId).type("form").send({ _csrf: token, name, clientType: "organization", confirmDuplicates: "on" });
    const clientId = /^\/clients\/([0-9a-f-]{36})$/.exec(created.headers.location ?? "")?.[1];
    if (created.status !== 302 || !clientId) return;
    acked.clients.push({ id: clientId, name, requestId });
    // A document uploaded to it.
    const bytes = pdfWithText(`Crash test file ${w}-${n} ${randomUUID()}`);
    const fileName = `crash-${w}-${n}.pdf`;
    requestId = randomUUID();
    const uploaded = await agent
      .post("/documents")
      .set("X-Request-Id", requestId)
      .field("_csrf", token)
      .field("typeId", setup.documentTypeId)
      .field("clientId", clientId)
      .attach("file", bytes, { filename: fileName, contentType: "application/pdf" });
    if (uploaded.status !== 303) return;
    acked.documents.push({ clientId, fileName, sha256: sha256(bytes), requestId });
    // An edit of the client, through its edit form.
    const edit = await agent.get(`/clients/${clientId}/edit`);
    if (edit.status !== 200) return;
    const notes = `Edited in unit ${w}-${n}`;
    requestId = randomUUID();
    const edited = await agent.post(`/clients/${clientId}`).set("X-Request-Id", requestId).type("form").send({ ...formFields(edit.text), notes });
    if (edited.status !== 302) return;
    acked.edits.push({ clientId, notes, requestId });
    // A case for it, opened with its stages from the template.
    requestId = randomUUID();
    const opened = await agent
      .post("/cases")
      .set("X-Request-Id", requestId)
      .type("form")
      .send({ _csrf: token, ...caseFormFields({ clientId, typeId: setup.typeId, managerId: setup.adminId }) });
    const caseId = /^\/cases\/([0-9a-f-]{36})$/.exec(opened.headers.location ?? "")?.[1];
    if (opened.status !== 302 || !caseId) return;
    acked.cases.push({ id: caseId, clientId, requestId });
    // Its status changed: acknowledged when the page it leads to says so.
    requestId = randomUUID();
    const moved = await agent.post(`/cases/${caseId}/status`).set("X-Request-Id", requestId).type("form").send({ _csrf: token, from: "new", to: "in_progress" });
    if (moved.status !== 302) return;
    const after = await agent.get(moved.headers.location!);
    if (after.status === 200 && after.text.includes("Case moved to In progress.")) acked.statusChanges.push({ caseId, requestId });
  };
  const worker = async (w: number) => {
    for (let n = 0; running && n < MAX_UNITS && Date.now() < deadline; n++) {
      try {
        await unit(w, n);
      } catch {
        return; // the server is gone
      }
    }
  };
  const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));
  return {
    acked,
    attempts: () => attempts,
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}

async function waitUntil(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && !check()) await new Promise((r) => setTimeout(r, 50));
  return check();
}

describe("SIGKILL in the middle of a burst of writes", () => {
  it(
    "after a restart every acknowledged create, edit, status change and upload is there with its audit row, and nothing is half-written",
    async () => {
      const dataDir = await tempDir(0o700);
      const runtimeDir = await tempDir(0o755);
      const pgPort = await freePort();
      const env = { ...ADMIN, DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort), EMBEDDED_PG_RUNTIME_DIR: runtimeDir, CASE_MANAGER_MAX_ACTIVE_CASES: "100000", DOCUMENT_WORKER: "false" };

      const first = await startServer(env);
      await listening(first);
      const url = await databaseUrlOf(first, pgPort);
      // The case type and its four-stage template, and the ids the forms need.
      const setupDb = connectDatabase(url, { max: 1 });
      let setup: { typeId: string; documentTypeId: string; adminId: string };
      try {
        const { type } = await makeCaseType(setupDb.prisma, { name: "Crash Advisory", stages: STAGES.map((name) => ({ name })) });
        const documentType = await setupDb.prisma.documentType.findUniqueOrThrow({ where: { code: "other" } });
        const admin = await setupDb.prisma.user.findUniqueOrThrow({ where: { email: ADMIN.ADMIN_EMAIL } });
        setup = { typeId: type.id, documentTypeId: documentType.id, adminId: admin.id };
      } finally {
        await setupDb.close();
      }

      const session = await signIn(first);
      const run = burst(session, setup);
      // Killed once the burst is well under way: eight complete units acknowledged, more in flight.
      expect(await waitUntil(() => run.acked.statusChanges.length >= 8, 90_000)).toBe(true);
      first.child.kill("SIGKILL");
      await first.exited;
      await run.stop();
      const { acked } = run;
      expect(run.attempts()).toBeGreaterThan(acked.statusChanges.length); // units were cut short by the kill

      const second = await startServer(env);
      await listening(second);
      const db = new pg.Client({ connectionString: url });
      await db.connect();
      try {
        const audit = async (requestIds: string[]) =>
          new Map(
            (await db.query<{ request_id: string; action: string; entity_id: string; changes: Record<string, { before: unknown; after: unknown }> | null }>(
              `SELECT request_id, action, entity_id, changes FROM audit_events WHERE request_id = ANY($1)`,
              [requestIds],
            )).rows.map((r) => [r.request_id, r]),
          );

        // Every acknowledged client, with its name and its create audit row.
        const clients = new Map((await db.query<{ id: string; name: string; notes: string | null }>(`SELECT id, name, notes FROM clients`)).rows.map((r) => [r.id, r]));
        const clientAudit = await audit(acked.clients.map((c) => c.requestId));
        for (const c of acked.clients) {
          expect(clients.get(c.id)?.name, c.name).toBe(c.name);
          expect(clientAudit.get(c.requestId)).toMatchObject({ action: "client.create", entity_id: c.id });
        }
        // Every acknowledged edit: the stored value (each client is edited once) and the audit row with the change.
        const editAudit = await audit(acked.edits.map((e) => e.requestId));
        for (const e of acked.edits) {
          expect(clients.get(e.clientId)?.notes).toBe(e.notes);
          const row = editAudit.get(e.requestId);
          expect(row).toMatchObject({ action: "client.update", entity_id: e.clientId });
          expect(row!.changes?.notes?.after).toBe(e.notes);
        }
        // Every acknowledged upload: the document, its version with the checksum of what was sent, the file itself.
        const docAudit = await audit(acked.documents.map((d) => d.requestId));
        for (const d of acked.documents) {
          const { rows } = await db.query<{ id: string; version_count: number; storage_key: string; sha256: string }>(
            `SELECT d.id, d.version_count, v.storage_key, v.sha256 FROM documents d JOIN document_versions v ON v.document_id = d.id WHERE d.client_id = $1 AND d.file_name = $2`,
            [d.clientId, d.fileName],
          );
          expect(rows, d.fileName).toHaveLength(1);
          expect(rows[0]!.sha256).toBe(d.sha256);
          expect(sha256(await readFile(path.join(dataDir, "storage", ...rows[0]!.storage_key.split("/"))))).toBe(d.sha256);
          expect(docAudit.get(d.requestId)).toMatchObject({ action: "document.create", entity_id: rows[0]!.id });
        }
        // Every acknowledged case with all its stages, and every acknowledged status change with its audit change.
        const cases = new Map((await db.query<{ id: string; status: string; stages: number }>(`SELECT c.id, c.status, (SELECT count(*)::int FROM case_stages s WHERE s.case_id = c.id) AS stages FROM cases c`)).rows.map((r) => [r.id, r]));
        const caseAudit = await audit(acked.cases.map((c) => c.requestId));
        for (const c of acked.cases) {
          expect(cases.get(c.id)?.stages).toBe(STAGES.length);
          expect(caseAudit.get(c.requestId)).toMatchObject({ action: "case.create", entity_id: c.id });
        }
        const statusAudit = await audit(acked.statusChanges.map((s) => s.requestId));
        for (const s of acked.statusChanges) {
          expect(cases.get(s.caseId)?.status).toBe("in_progress");
          const row = statusAudit.get(s.requestId);
          expect(row).toMatchObject({ action: "case.status", entity_id: s.caseId });
          expect(row!.changes?.status).toEqual({ before: "new", after: "in_progress" });
        }

        // Nothing half-written, acknowledged or not: each record whole, with its audit row.
        expect([...cases.values()].filter((c) => c.stages !== STAGES.length)).toEqual([]);
        const orphans = await db.query(
          `SELECT 'client' AS kind, c.id::text FROM clients c WHERE NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.action = 'client.create' AND a.entity_id = c.id::text)
           UNION ALL SELECT 'case', c.id::text FROM cases c WHERE NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.action = 'case.create' AND a.entity_id = c.id::text)
           UNION ALL SELECT 'document', d.id::text FROM documents d WHERE NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.action = 'document.create' AND a.entity_id = d.id::text)
           UNION ALL SELECT 'status', c.id::text FROM cases c WHERE c.status <> 'new' AND NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.action = 'case.status' AND a.entity_id = c.id::text)
           UNION ALL SELECT 'versions', d.id::text FROM documents d WHERE d.version_count <> (SELECT count(*) FROM document_versions v WHERE v.document_id = d.id)
           UNION ALL SELECT 'unaudited change', a.id::text FROM audit_events a WHERE a.action IN ('client.update', 'case.status') AND a.changes IS NULL`,
        );
        expect(orphans.rows).toEqual([]);
        // Every stored version's file is there and matches its checksum (a row never points at a missing file).
        for (const v of (await db.query<{ storage_key: string; sha256: string }>(`SELECT storage_key, sha256 FROM document_versions`)).rows) {
          expect(sha256(await readFile(path.join(dataDir, "storage", ...v.storage_key.split("/"))))).toBe(v.sha256);
        }
        // Counters agree with their rows: status counts, the access table the triggers keep, the number counters.
        const counts = await db.query(
          `SELECT status::text, is_confidential, n FROM client_status_counts WHERE n <> 0
           EXCEPT SELECT status::text, is_confidential, count(*) FROM clients GROUP BY 1, 2`,
        );
        expect(counts.rows).toEqual([]);
        const countsBack = await db.query(
          `SELECT status::text, is_confidential, count(*) FROM clients GROUP BY 1, 2
           EXCEPT SELECT status::text, is_confidential, n FROM client_status_counts`,
        );
        expect(countsBack.rows).toEqual([]);
        const access = await db.query(`(SELECT * FROM case_access EXCEPT SELECT * FROM case_access_source) UNION ALL (SELECT * FROM case_access_source EXCEPT SELECT * FROM case_access)`);
        expect(access.rows).toEqual([]);
        const numbering = await db.query(
          `SELECT 'client' AS kind FROM clients c JOIN client_code_counters k ON k.year = split_part(c.client_code, '-', 2)::int
             WHERE split_part(c.client_code, '-', 3)::int > k.last
           UNION ALL SELECT 'case' FROM cases c JOIN case_number_counters k ON k.year = split_part(c.case_number, '-', 2)::int
             WHERE split_part(c.case_number, '-', 3)::int > k.last`,
        );
        expect(numbering.rows).toEqual([]);
      } finally {
        await db.end();
      }

      // The restarted app serves the acknowledged records.
      const again = await signIn(second);
      const last = acked.clients.at(-1)!;
      expect((await again.agent.get(`/clients/${last.id}`)).text).toContain(last.name);
      expect((await second.interrupt()).code).toBe(0);
    },
    240_000,
  );
});
