// Background work: text extraction (PDF, .docx, text) run by the job queue into the search index, and the cleanup
// of orphan files.
import os from "node:os";
import path from "node:path";
import { mkdtemp, mkdir, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { signedIn, type Agent } from "../helpers/http.ts";
import { makeClient } from "../clients/support.ts";
import { DiskStorage, newStorageKey } from "../../src/documents/storage.ts";
import { runDocumentJobsOnce } from "../../src/documents/jobs.ts";
import { removeOrphanFiles } from "../../src/documents/cleanup.ts";
import { docxWithText, pdfWithText, png, typeId, upload, uploadVersion } from "./support.ts";

let t: TestApp;
let dataDir: string;
let storage: DiskStorage;
let agent: Agent;
let clientId: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "clientdesk-docs-bg-"));
  t = await createTestApp({ DATA_DIR: dataDir });
  storage = new DiskStorage(path.join(dataDir, "storage"));
  const user = await makeUser(t.db, { role: "staff" });
  agent = await signedIn(t.app, user.email);
  clientId = (await makeClient(t.db, user.id)).id;
});
afterAll(async () => {
  await t.close();
  await rm(dataDir, { recursive: true, force: true });
});

const runJobs = () => runDocumentJobsOnce({ pool: t.database.pool, storage, maxBytes: 10 * 1024 * 1024 });
const titles = async (q: string) => [...(await agent.get(`/documents?q=${encodeURIComponent(q)}`)).text.matchAll(/data-document-row="[^"]+">\s*<td><a href="[^"]+">([^<]+)</g)].map((m) => m[1]);

describe("text extraction", () => {
  it("reads the words inside PDFs, Word files and text files in the background and finds documents by them", async () => {
    const other = await typeId(t.db, "other");
    await upload(agent, "/documents", { typeId: other, clientId, title: "Scanned lease" }, [{ bytes: pdfWithText("Warehouse lease for the Tillamook premises"), name: "lease.pdf" }]);
    await upload(agent, "/documents", { typeId: other, clientId, title: "Board letter" }, [{ bytes: await docxWithText("Resolution approving the Quinault merger"), name: "letter.docx" }]);
    await upload(agent, "/documents", { typeId: other, clientId, title: "Phone notes" }, [{ bytes: Buffer.from("Called about the Okanogan invoice.\n"), name: "notes.txt" }]);
    await upload(agent, "/documents", { typeId: other, clientId, title: "Logo" }, [{ bytes: png(), name: "logo.png" }]);
    expect((await t.db.document.findFirstOrThrow({ where: { title: "Logo" } })).textStatus).toBe("none");
    expect(await titles("Tillamook")).toEqual([]); // not read yet
    await runJobs();
    const stored = await t.db.document.findMany({ where: { clientId }, select: { title: true, textStatus: true, contentText: true }, orderBy: { title: "asc" } });
    expect(stored.map((d) => [d.title, d.textStatus])).toEqual([["Board letter", "done"], ["Logo", "none"], ["Phone notes", "done"], ["Scanned lease", "done"]]);
    expect(await titles("Tillamook")).toEqual(["Scanned lease"]);
    expect(await titles("quinault merger")).toEqual(["Board letter"]);
    expect(await titles("okanogan")).toEqual(["Phone notes"]);
    expect(await titles("premises")).toEqual(["Scanned lease"]); // stemmed: "premises" ~ "premise"
  });

  it("reads the new version's text when a version is added, and marks a damaged file as unreadable without failing", async () => {
    const other = await typeId(t.db, "other");
    await upload(agent, "/documents", { typeId: other, clientId, title: "Evolving memo" }, [{ bytes: pdfWithText("Draft mentions Chehalis"), name: "memo.pdf" }]);
    const doc = await t.db.document.findFirstOrThrow({ where: { title: "Evolving memo" } });
    await uploadVersion(agent, doc.id, { bytes: pdfWithText("Final mentions Wahkiakum"), name: "memo-final.pdf" });
    await runJobs();
    expect(await titles("Wahkiakum")).toEqual(["Evolving memo"]);
    expect(await titles("Chehalis")).toEqual([]);
    const broken = pdfWithText("never read");
    await upload(agent, "/documents", { typeId: other, clientId, title: "Broken scan" }, [{ bytes: broken.subarray(0, 40), name: "broken.pdf" }]);
    await runJobs();
    expect((await t.db.document.findFirstOrThrow({ where: { title: "Broken scan" } })).textStatus).toBe("failed");
    expect(await titles("Broken")).toEqual(["Broken scan"]);
  });
});

describe("orphan cleanup", () => {
  it("removes stored files no version points to once they are older than the grace period, and keeps the rest", async () => {
    const other = await typeId(t.db, "other");
    await upload(agent, "/documents", { typeId: other, clientId, title: "Kept file" }, [{ bytes: pdfWithText("kept"), name: "kept.pdf" }]);
    const kept = await t.db.documentVersion.findFirstOrThrow({ where: { document: { title: "Kept file" } } });
    const orphan = newStorageKey();
    await storage.put(orphan, Readable.from([Buffer.from("left by a crash")]));
    const fresh = newStorageKey();
    await storage.put(fresh, Readable.from([Buffer.from("still committing")]));
    const old = new Date(Date.now() - 2 * 3600_000);
    const fileOf = (key: string) => path.join(dataDir, "storage", ...key.split("/"));
    await utimes(fileOf(orphan), old, old);
    await utimes(fileOf(kept.storageKey), old, old);
    const partialKey = newStorageKey();
    await mkdir(path.dirname(fileOf(partialKey)), { recursive: true });
    await writeFile(`${fileOf(partialKey)}.partial`, "half");
    await utimes(`${fileOf(partialKey)}.partial`, old, old);

    const dry = await removeOrphanFiles(t.database.pool, storage, { graceMinutes: 60, dryRun: true });
    expect(dry.removed.sort()).toEqual([orphan, `${partialKey}.partial`].sort());
    expect(await storage.get(orphan)).toBeDefined();
    const result = await removeOrphanFiles(t.database.pool, storage, { graceMinutes: 60 });
    expect(result.removed.sort()).toEqual([orphan, `${partialKey}.partial`].sort());
    expect(await storage.get(orphan)).toBeUndefined();
    expect(await storage.get(fresh)).toBeDefined();
    expect(await storage.get(kept.storageKey)).toBeDefined();
    expect(await readdir(path.dirname(fileOf(partialKey)))).not.toContain(`${path.basename(partialKey)}.partial`);
  });
});
