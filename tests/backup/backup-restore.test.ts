// Backups and the restore drill: records of every kind made through the app and its services, a backup, a restore
// into a new empty database and an empty files folder, then every table compared row by row (checksums of each
// row's text, generated columns included) and every file compared by SHA-256. A non-empty target is refused, and so is
// a damaged backup. The npm scripts are run once as an operator would.
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { appendFile, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createBackup } from "../../src/backup/backup.ts";
import { readManifest, type Manifest } from "../../src/backup/manifest.ts";
import { restoreBackup } from "../../src/backup/restore.ts";
import { BOOKKEEPING_TABLES, TRANSIENT_TABLES } from "../../src/backup/tables.ts";
import { DiskStorage } from "../../src/documents/storage.ts";
import { createContact } from "../../src/contacts/service.ts";
import { contactForm } from "../../src/contacts/schemas.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { csrfToken, postForm, signedIn, type Agent } from "../helpers/http.ts";
import { ROOT } from "../helpers/server-process.ts";
import { actor, makeCaseType, openCase } from "../cases/support.ts";
import { makeClient } from "../clients/support.ts";
import { logAs } from "../communications/support.ts";
import { makeFeedback } from "../feedback/support.ts";
import { makeLead, makeProposal, makeProspect } from "../pipeline/support.ts";
import { pdfWithText, png, typeId, upload, uploadVersion } from "../documents/support.ts";

let t: TestApp;
let dataDir: string;
let work: string;
let admin: Agent;
const databases: string[] = [];

/** A new, empty database (not the migrated template): what an operator restores into. */
async function emptyDatabase(): Promise<string> {
  const name = `clientdesk_test_${randomBytes(6).toString("hex")}`;
  const adminClient = new pg.Client({ connectionString: inject("adminDatabaseUrl") });
  await adminClient.connect();
  try {
    await adminClient.query(`CREATE DATABASE ${name}`);
  } finally {
    await adminClient.end();
  }
  databases.push(name);
  const url = new URL(inject("adminDatabaseUrl"));
  url.pathname = `/${name}`;
  return url.toString();
}

/** Per table, the sorted MD5 of each row's text (every column, generated ones included). */
async function tableChecksums(url: string): Promise<Map<string, string[]>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const skipped = new Set<string>([...BOOKKEEPING_TABLES, ...TRANSIENT_TABLES]);
    const { rows } = await client.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
    const result = new Map<string, string[]>();
    for (const { name } of rows) {
      if (skipped.has(name)) continue;
      const hashes = await client.query<{ h: string }>(`SELECT md5(t::text) AS h FROM "${name}" t ORDER BY 1`);
      result.set(name, hashes.rows.map((r) => r.h));
    }
    return result;
  } finally {
    await client.end();
  }
}

async function filesUnder(root: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    found.set(path.relative(root, full), createHash("sha256").update(await readFile(full)).digest("hex"));
  }
  return found;
}

function runScript(script: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: "silent", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("close", (code) => resolve({ code, output }));
  });
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "clientdesk-backup-test-"));
  dataDir = path.join(work, "data");
  t = await createTestApp({ DATA_DIR: dataDir });
  await mkdir(dataDir, { recursive: true });
  await writeFile(path.join(dataDir, "session-secret"), "a-secret-kept-in-the-data-folder\n", { mode: 0o600 });
  const adminUser = await makeUser(t.db, { role: "admin", name: "Ada Admin", relationshipTeam: true, legalTeam: true, viewConfidential: true });
  const staffUser = await makeUser(t.db, { role: "staff", name: "Sam Staff", relationshipTeam: true });
  const manager = await makeUser(t.db, { role: "manager", name: "Mia Manager" });
  admin = await signedIn(t.app, adminUser.email);

  // Clients: through the form (client code counter, audit row, status counts) and as fixtures with a team.
  const created = await postForm(admin, "/clients/new", "/clients", { name: "Backup Harbor Holdings", clientType: "organization", confirmDuplicates: "on" });
  expect(created.status).toBe(302);
  const clientId = /\/clients\/([0-9a-f-]{36})$/.exec(created.headers.location ?? "")![1]!;
  const confidential = await makeClient(t.db, adminUser.id, { name: "Quiet Confidential Trust", isConfidential: true, teamUserIds: [staffUser.id] });
  await makeClient(t.db, adminUser.id, { name: "Dormant Old Co", status: "inactive" });
  // A logo, through the upload route.
  const logo = await admin.post(`/clients/${clientId}/logo`).field("_csrf", await csrfToken(admin, `/clients/${clientId}`)).attach("logo", png(), { filename: "logo.png", contentType: "image/png" });
  expect(logo.status).toBe(303);
  // Contacts, with the text that COPY must escape (tabs, newlines, backslashes, quotes, non-ASCII).
  await createContact(t.db, actor(adminUser), clientId, contactForm.parse({ name: "Zoë O'Brien\tJr.", title: "Counsel", email: "zoe@example.test", notes: "Line one\nLine two \\ back\\slash \"quoted\"", active: "on", isPrimary: "on" }));
  await createContact(t.db, actor(adminUser), confidential.id, contactForm.parse({ name: "Émile Durand", active: "on" }));
  // Cases with stages from a template, one with its team (case_access is kept by triggers).
  const { type } = await makeCaseType(t.db, { stages: [{ name: "Intake" }, { name: "Review", approvalRequired: true }, { name: "Close" }] });
  const kase = await openCase(t.db, adminUser, { clientId, typeId: type.id, managerId: manager.id });
  expect(kase.stages.length).toBe(3);
  await openCase(t.db, adminUser, { clientId: confidential.id, typeId: type.id, managerId: manager.id });
  // Documents with files: two uploads on the client, a second version, one on the case.
  const uploaded = await upload(admin, `/clients/${clientId}`, { typeId: await typeId(t.db, "other"), clientId }, [
    { bytes: pdfWithText("Engagement terms"), name: "terms.pdf", contentType: "application/pdf" },
    { bytes: png(), name: "scan.png", contentType: "image/png" },
  ]);
  expect(uploaded.status).toBe(303);
  const doc = await t.db.document.findFirstOrThrow({ where: { clientId, fileName: "terms.pdf" } });
  expect((await uploadVersion(admin, doc.id, { bytes: pdfWithText("Engagement terms, revised"), name: "terms-v2.pdf", contentType: "application/pdf" })).status).toBe(303);
  expect((await upload(admin, `/cases/${kase.id}`, { typeId: await typeId(t.db, "other"), caseId: kase.id }, [{ bytes: pdfWithText("Case memo"), name: "memo.pdf", contentType: "application/pdf" }])).status).toBe(303);
  // Communications (with participants), feedback, pipeline records.
  await logAs(t.db, adminUser, clientId, { type: "meeting", subject: "Quarterly review", notes: "Agreed next steps", userIds: [staffUser.id] });
  await logAs(t.db, adminUser, confidential.id, { type: "phone", subject: "Check-in call" });
  await makeFeedback(t.db, clientId, adminUser.id, "2026-Q1", { writtenFeedback: "Responsive team" });
  await makeFeedback(t.db, confidential.id, adminUser.id, "2026-Q1"); // a restricted client's: its team's own sums
  const prospect = await makeProspect(t.db, adminUser.id);
  await makeLead(t.db, adminUser.id);
  await makeProposal(t.db, prospect.id, adminUser.id);
  // The remaining kinds, written straight to their tables: categories, case teams and approvals, a stage deadline,
  // campaigns, number counters, engagements, notifications, digests, roundtable meetings with attendees, entries and
  // action items.
  const category = await t.db.clientCategory.create({ data: { name: "Maritime", color: "#123456" } });
  await makeClient(t.db, adminUser.id, { name: "Categorised Shipping", categoryId: category.id });
  await t.db.caseTeamMember.create({ data: { caseId: kase.id, userId: staffUser.id, role: "associate" } });
  await t.db.caseStageApproval.create({ data: { stageId: kase.stages[1]!.id, userId: manager.id, note: "Looks right" } });
  await t.db.caseStage.update({ where: { id: kase.stages[0]!.id }, data: { deadline: new Date("2026-11-20") } });
  const campaign = await t.db.campaign.create({ data: { name: "Winter webinar", campaignType: "webinar", startDate: new Date("2026-01-10"), ownerId: adminUser.id } });
  await makeLead(t.db, adminUser.id, { campaignId: campaign.id });
  await t.db.proposalNumberCounter.create({ data: { year: 1999, last: 7 } });
  await t.db.engagement.create({ data: { clientId, title: "Advisory retainer", startDate: new Date("2026-01-01"), endDate: new Date("2026-12-31"), value: 12_000, createdById: adminUser.id } });
  await t.db.notification.create({ data: { userId: staffUser.id, kind: "test", title: "A notice", clientId } });
  await t.db.followUpDigest.create({ data: { day: new Date("2026-11-30"), overdue: 2, triggeredById: adminUser.id } });
  const meeting = await t.db.roundtableMeeting.create({ data: { meetingDate: new Date("2026-11-28"), createdById: adminUser.id, attendees: { create: [{ userId: staffUser.id }] } } });
  const entry = await t.db.roundtableEntry.create({ data: { meetingId: meeting.id, clientId, authorId: adminUser.id, discussion: "Renewal in spring" } });
  await t.db.roundtableActionItem.create({ data: { entryId: entry.id, clientId, description: "Send the renewal terms", assigneeId: staffUser.id, dueDate: new Date("2026-12-15") } });
  // A client document also on a case and attached to a communication; a second factor with a recovery code, the
  // security policy, a password reset token, and the two-factor key file beside the session secret.
  await t.db.documentCase.create({ data: { documentId: doc.id, caseId: kase.id, linkedById: adminUser.id } });
  const call = await t.db.communication.findFirstOrThrow({ where: { clientId } });
  await t.db.communicationDocument.create({ data: { communicationId: call.id, documentId: doc.id, linkedById: adminUser.id } });
  await t.db.userTwoFactor.create({ data: { userId: staffUser.id, secretEncrypted: "v1:not-a-real-secret", enabledAt: new Date(), lastUsedStep: 58_000_000n } });
  await t.db.twoFactorRecoveryCode.create({ data: { userId: staffUser.id, codeHash: "0".repeat(64) } });
  await t.db.securitySettings.update({ where: { id: 1 }, data: { twoFactorRequired: "admins", updatedById: adminUser.id } });
  await t.db.passwordResetToken.create({ data: { userId: manager.id, tokenHash: "1".repeat(64), expiresAt: new Date("2026-12-05T04:00:00Z") } });
  // The relationship dashboard's weekly attention counts and restricted clients' states (kept by a job, not by the
  // writes above).
  await t.db.attentionWeeklyCount.create({ data: { weekStart: new Date("2026-11-30"), restricted: false, asOf: new Date("2026-12-04"), urgent: 1, warning: 0, never: 2, total: 4 } });
  await t.db.attentionWeeklyRestricted.create({ data: { clientId, weekStart: new Date("2026-11-30"), urgent: true } });
  await writeFile(path.join(dataDir, "two-factor.key"), "00".repeat(32) + "\n", { mode: 0o600 });
}, 120_000);

afterAll(async () => {
  await t?.close();
  const adminClient = new pg.Client({ connectionString: inject("adminDatabaseUrl") });
  await adminClient.connect();
  for (const name of databases) await adminClient.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
  await adminClient.end();
  await rm(work, { recursive: true, force: true });
});

describe("backup and restore", () => {
  let backupDir: string;
  let manifest: Manifest;

  it("writes one timestamped folder with every table's rows, every stored file and a manifest of counts, checksums and the schema version", async () => {
    const result = await createBackup({ pool: t.database.pool, storage: new DiskStorage(path.join(dataDir, "storage")), dataDir, backupDir: path.join(work, "backups"), now: new Date("2026-12-05T03:00:00Z") });
    backupDir = result.dir;
    expect(path.basename(backupDir)).toBe("clientdesk-2026-12-05T03-00-00Z");
    manifest = await readManifest(backupDir);
    expect(manifest.schema.latestMigration).toBe((await readdir(path.join(ROOT, "prisma/migrations"), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort().at(-1));
    const counts = Object.fromEntries(manifest.tables.map((t) => [t.name, t.rows]));
    // Records of every kind: no table of the backup is empty (the trigger-kept ones included).
    expect(manifest.tables.filter((t) => t.rows === 0).map((t) => t.name)).toEqual([]);
    for (const table of ["users", "clients", "contacts", "cases", "case_stages", "case_access", "client_status_counts", "documents", "document_versions", "audit_events"]) {
      expect(counts[table], table).toBeGreaterThan(0);
    }
    const stored = await t.database.pool.query<{ n: string }>("SELECT count(*)::text AS n FROM audit_events");
    expect(counts.audit_events).toBe(Number(stored.rows[0]!.n));
    expect(manifest.tables.map((t) => t.name)).not.toContain("session");
    expect(manifest.tables.map((t) => t.name)).not.toContain("form_submissions");
    expect(manifest.sequences.map((s) => s.name)).toContain("audit_events_id_seq");
    // Four document versions, one logo, the session secret; each with the checksum of the original.
    expect(manifest.files.filter((f) => f.kind === "document")).toHaveLength(4);
    expect(manifest.files.filter((f) => f.kind === "logo")).toHaveLength(1);
    expect(manifest.files.filter((f) => f.kind === "key").map((f) => f.name)).toEqual(["session-secret", "two-factor.key"]);
    const originals = await filesUnder(path.join(dataDir, "storage"));
    for (const f of manifest.files.filter((f) => f.kind === "document")) expect(f.sha256).toBe(originals.get(f.name));
    expect(manifest.missingFiles).toEqual([]);
  });

  it("restores into a new empty database and files folder: every table row for row, every file byte for byte", async () => {
    const targetUrl = await emptyDatabase();
    const targetData = path.join(work, "restored-data");
    const pool = new pg.Pool({ connectionString: targetUrl, max: 2 });
    try {
      const result = await restoreBackup({ pool, storage: new DiskStorage(path.join(targetData, "storage")), dataDir: targetData, backup: backupDir });
      expect(result.rows).toBe(manifest.tables.reduce((sum, t) => sum + t.rows, 0));
      // The schema is at the backup's migration, and the restored database accepts new writes (sequences reset).
      const migrations = await pool.query<{ migration_name: string }>(`SELECT migration_name FROM "_prisma_migrations" ORDER BY 1`);
      expect(migrations.rows.map((r) => r.migration_name)).toEqual(manifest.schema.migrations);
      const next = await pool.query<{ id: string }>(`INSERT INTO audit_events (action) VALUES ('restore.check') RETURNING id::text`);
      const maxBefore = await pool.query<{ m: string }>(`SELECT max(id)::text AS m FROM audit_events WHERE action <> 'restore.check'`);
      expect(BigInt(next.rows[0]!.id)).toBeGreaterThan(BigInt(maxBefore.rows[0]!.m));
      // The triggers are back on: the audit log refuses changes again.
      await expect(pool.query(`DELETE FROM audit_events WHERE action = 'restore.check'`)).rejects.toThrow();
    } finally {
      await pool.end();
    }
    // Every table, row for row (the check row above aside).
    const source = await tableChecksums(t.url);
    const restoredClient = new pg.Client({ connectionString: targetUrl });
    await restoredClient.connect();
    await restoredClient.query("ALTER TABLE audit_events DISABLE TRIGGER USER");
    await restoredClient.query(`DELETE FROM audit_events WHERE action = 'restore.check'`);
    await restoredClient.query("ALTER TABLE audit_events ENABLE TRIGGER USER");
    await restoredClient.end();
    const restored = await tableChecksums(targetUrl);
    expect([...restored.keys()]).toEqual([...source.keys()]);
    for (const [table, rows] of source) expect(restored.get(table), table).toEqual(rows);
    // Every file, byte for byte: documents in the storage folder, logos, the key file.
    expect(await filesUnder(path.join(work, "restored-data", "storage"))).toEqual(await filesUnder(path.join(dataDir, "storage")));
    expect(await filesUnder(path.join(work, "restored-data", "uploads"))).toEqual(await filesUnder(path.join(dataDir, "uploads")));
    for (const key of ["session-secret", "two-factor.key"]) expect(await readFile(path.join(work, "restored-data", key), "utf8"), key).toBe(await readFile(path.join(dataDir, key), "utf8"));
  }, 120_000);

  it("refuses a database that holds records, or a files folder that holds files, and changes nothing", async () => {
    const before = await tableChecksums(t.url);
    await expect(restoreBackup({ pool: t.database.pool, storage: new DiskStorage(path.join(dataDir, "storage")), dataDir, backup: backupDir })).rejects.toThrow(
      /the target is not empty, so nothing was restored: .*table audit_events has/,
    );
    expect(await tableChecksums(t.url)).toEqual(before);
    // An empty database but a files folder with documents in it.
    const pool = new pg.Pool({ connectionString: await emptyDatabase(), max: 1 });
    try {
      await expect(restoreBackup({ pool, storage: new DiskStorage(path.join(dataDir, "storage")), dataDir: path.join(work, "other"), backup: backupDir })).rejects.toThrow(/the document storage holds files/);
      const tables = await pool.query(`SELECT 1 FROM pg_tables WHERE schemaname = 'public'`);
      expect(tables.rowCount).toBe(0);
    } finally {
      await pool.end();
    }
  }, 60_000);

  it("refuses a damaged backup before touching anything", async () => {
    const damaged = path.join(work, "damaged");
    await cp(backupDir, damaged, { recursive: true });
    const doc = manifest.files.find((f) => f.kind === "document")!;
    await appendFile(path.join(damaged, doc.file), "tampered");
    const pool = new pg.Pool({ connectionString: await emptyDatabase(), max: 1 });
    try {
      await expect(restoreBackup({ pool, storage: new DiskStorage(path.join(work, "d2", "storage")), dataDir: path.join(work, "d2"), backup: damaged })).rejects.toThrow(
        new RegExp(`damaged:\\n  document ${doc.name}: ${doc.file} does not match its checksum`),
      );
      expect((await pool.query(`SELECT 1 FROM pg_tables WHERE schemaname = 'public'`)).rowCount).toBe(0);
    } finally {
      await pool.end();
    }
  }, 60_000);
});

describe("a restore that fails part way", () => {
  it("rolls the database back whole and takes back the files it wrote, so the same target can be restored into again", async () => {
    const backups = path.join(work, "failing-backups");
    const { dir } = await createBackup({ pool: t.database.pool, storage: new DiskStorage(path.join(dataDir, "storage")), dataDir, backupDir: backups });
    // A backup intact by its checksums whose contacts cannot be loaded (a row that names no client).
    const broken = path.join(work, "broken");
    await cp(dir, broken, { recursive: true });
    const manifestFile = path.join(broken, "manifest.json");
    const damaged = JSON.parse(await readFile(manifestFile, "utf8")) as Manifest;
    const contacts = damaged.tables.find((table) => table.name === "contacts")!;
    const { gunzipSync, gzipSync } = await import("node:zlib");
    const rows = gunzipSync(await readFile(path.join(broken, contacts.file))).toString("utf8").split("\n");
    const clientColumn = contacts.columns.indexOf("client_id");
    rows[0] = rows[0]!.split("\t").map((value, i) => (i === clientColumn ? "00000000-0000-4000-8000-000000000000" : value)).join("\t");
    const bytes = gzipSync(Buffer.from(rows.join("\n")));
    await writeFile(path.join(broken, contacts.file), bytes);
    contacts.sha256 = createHash("sha256").update(bytes).digest("hex");
    await writeFile(manifestFile, JSON.stringify(damaged));

    const targetUrl = await emptyDatabase();
    const targetData = path.join(work, "failed-restore");
    const pool = new pg.Pool({ connectionString: targetUrl, max: 2 });
    try {
      await expect(restoreBackup({ pool, storage: new DiskStorage(path.join(targetData, "storage")), dataDir: targetData, backup: broken })).rejects.toThrow(/contacts_client_id_fkey|foreign key/);
      expect((await pool.query(`SELECT count(*)::int AS n FROM users`)).rows[0].n).toBe(0);
      expect(await filesUnder(path.join(targetData, "storage"))).toEqual(new Map());
      expect(await filesUnder(path.join(targetData, "uploads"))).toEqual(new Map());
      // The same target takes the intact backup.
      const result = await restoreBackup({ pool, storage: new DiskStorage(path.join(targetData, "storage")), dataDir: targetData, backup: dir });
      expect(result.rows).toBe(damaged.tables.reduce((sum, table) => sum + table.rows, 0));
    } finally {
      await pool.end();
    }
  }, 120_000);
});

describe("the npm scripts", () => {
  it("npm run backup writes into BACKUP_DIR; npm run restore asks first (refuses with no terminal), restores with --yes, and refuses a non-empty target", async () => {
    const backups = path.join(work, "script-backups");
    const made = await runScript("scripts/backup.ts", [], { DATABASE_URL: t.url, DATA_DIR: dataDir, BACKUP_DIR: backups });
    expect(made.output).toMatch(/Backup written to .*clientdesk-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ/);
    expect(made.code).toBe(0);
    const [folder] = await readdir(backups);
    expect(folder).toMatch(/^clientdesk-/);
    const backup = path.join(backups, folder!);

    const targetUrl = await emptyDatabase();
    const targetData = path.join(work, "script-restored");
    const asked = await runScript("scripts/restore.ts", [backup], { DATABASE_URL: targetUrl, DATA_DIR: targetData });
    expect(asked.code).toBe(1);
    expect(asked.output).toContain("Restore refused: no terminal to confirm in: add --yes");
    const restored = await runScript("scripts/restore.ts", [backup, "--yes"], { DATABASE_URL: targetUrl, DATA_DIR: targetData });
    expect(restored.output).toMatch(/Restored \d+ rows and 5 files \(documents and logos\), and session-secret, two-factor.key\./);
    expect(restored.code).toBe(0);
    const again = await runScript("scripts/restore.ts", [backup, "--yes"], { DATABASE_URL: targetUrl, DATA_DIR: path.join(work, "script-restored-2") });
    expect(again.code).toBe(1);
    expect(again.output).toMatch(/Restore refused: the target is not empty, so nothing was restored: table \w+ has/);
    expect(again.output).not.toMatch(/^\s+at /m);
  }, 120_000);
});
