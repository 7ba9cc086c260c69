// Fuzzed uploads: random bytes and truncated real files are either stored as what their content is, or refused
// with a clear message and nothing stored; never a server error.
import os from "node:os";
import path from "node:path";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { signedIn, type Agent } from "../helpers/http.ts";
import { makeClient } from "../clients/support.ts";
import { ALLOWED_TYPES } from "../../src/documents/content.ts";
import { docxWithText, pdfWithText, png, typeId, upload } from "./support.ts";

let t: TestApp;
let dataDir: string;
let agent: Agent;
let clientId: string;
let other: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "clientdesk-docs-fuzz-"));
  t = await createTestApp({ DATA_DIR: dataDir });
  const user = await makeUser(t.db, { role: "staff" });
  agent = await signedIn(t.app, user.email);
  clientId = (await makeClient(t.db, user.id)).id;
  other = await typeId(t.db, "other");
});
afterAll(async () => {
  await t.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function check(bytes: Buffer, name: string) {
  const before = await t.db.document.count();
  const res = await upload(agent, "/documents", { typeId: other, clientId }, [{ bytes, name }], { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" });
  expect([201, 422], `${name} (${bytes.length} bytes): ${res.status} ${res.text.slice(0, 200)}`).toContain(res.status);
  if (res.status === 422) {
    expect(res.body.error).toMatch(/not a kind of document we keep|is empty/);
    expect(await t.db.document.count()).toBe(before);
  } else {
    const doc = await t.db.document.findUniqueOrThrow({ where: { id: res.body.created[0].id } });
    expect(Object.keys(ALLOWED_TYPES)).toContain(doc.contentType);
  }
  return res.status;
}

describe("fuzzed uploads", () => {
  it("answers random bytes with a refusal or a stored document, never a 500", async () => {
    const statuses: number[] = [];
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 3000 }), fc.constantFrom("scan.pdf", "photo.png", "letter.docx", "notes.txt", "mail.eml", "x"), async (bytes, name) => {
        statuses.push(await check(Buffer.from(bytes), name));
      }),
      { numRuns: 40, seed: 20261204 },
    );
    expect(statuses).toContain(422);
  });

  it("answers truncated PDFs, images and Word files the same way", async () => {
    const originals: [Buffer, string][] = [[pdfWithText("truncated contract text"), "c.pdf"], [png(), "p.png"], [await docxWithText("truncated letter"), "l.docx"]];
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 }), fc.double({ min: 0, max: 1, noNaN: true }), async (which, fraction) => {
        const [bytes, name] = originals[which]!;
        await check(bytes.subarray(0, Math.floor(bytes.length * fraction)), name);
      }),
      { numRuns: 30, seed: 42 },
    );
    expect(await readdir(path.join(dataDir, "tmp", "uploads"))).toEqual([]);
  });
});
