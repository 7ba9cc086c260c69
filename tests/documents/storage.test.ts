// The storage contract, run against both backends: the local disk and an S3-compatible store (s3rver, started here).
import os from "node:os";
import path from "node:path";
import { mkdtemp, rm } from "node:fs/promises";
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DiskStorage, newStorageKey, type DocumentStorage } from "../../src/documents/storage.ts";
import { S3Storage } from "../../src/documents/s3-storage.ts";
import { readAll } from "../../src/documents/extraction.ts";
import { createTestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { signedIn } from "../helpers/http.ts";
import { makeClient } from "../clients/support.ts";
import { fetchBytes, pdfWithText, typeId, upload } from "./support.ts";

let dir: string;
let s3: S3rver;
let s3Port: number;
const backends: Record<string, DocumentStorage> = {};

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "clientdesk-storage-"));
  s3 = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: path.join(dir, "s3"), configureBuckets: [{ name: "clientdesk-docs", configs: [] }] });
  const { port } = (await s3.run()) as { port: number };
  s3Port = port;
  backends.disk = new DiskStorage(path.join(dir, "disk"));
  backends.s3 = new S3Storage({ endpoint: `http://127.0.0.1:${port}`, region: "us-east-1", bucket: "clientdesk-docs", accessKeyId: "S3RVER", secretAccessKey: "S3RVER", forcePathStyle: true });
});
afterAll(async () => {
  await s3?.close();
  await rm(dir, { recursive: true, force: true });
});

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** A stream that hands over `total` bytes in small chunks, as an upload arrives. */
function chunked(bytes: Buffer, size = 64 * 1024): Readable {
  return Readable.from((function* () {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  })());
}

describe.each(["disk", "s3"])("the %s backend", (name) => {
  it("stores a streamed file, measuring its size and SHA-256, and streams the same bytes back", async () => {
    const storage = backends[name]!;
    const bytes = randomBytes(6 * 1024 * 1024 + 123); // more than one S3 multipart part
    const key = newStorageKey();
    const stored = await storage.put(key, chunked(bytes));
    expect(stored).toEqual({ size: bytes.length, sha256: sha(bytes) });
    const back = await storage.get(key);
    expect(back).toBeDefined();
    expect(sha(await readAll(back!, 20 * 1024 * 1024))).toBe(sha(bytes));
  });

  it("answers undefined for a key it does not hold, and forgets a deleted one", async () => {
    const storage = backends[name]!;
    expect(await storage.get(newStorageKey())).toBeUndefined();
    const key = newStorageKey();
    await storage.put(key, chunked(Buffer.from("short-lived")));
    await storage.delete(key);
    expect(await storage.get(key)).toBeUndefined();
    await storage.delete(key); // deleting twice is harmless
  });

  it("lists what it holds, for the orphan cleanup", async () => {
    const storage = backends[name]!;
    const keys = [newStorageKey(), newStorageKey()];
    for (const key of keys) await storage.put(key, chunked(Buffer.from(key)));
    const listed: string[] = [];
    for await (const object of storage.list()) {
      listed.push(object.key);
      expect(object.modifiedAt.getTime()).toBeGreaterThan(Date.now() - 3600_000);
    }
    expect(listed).toEqual(expect.arrayContaining(keys));
  });

  it("stores nothing under a key that is not its own kind", async () => {
    await expect(backends[name]!.put("../../etc/passwd", chunked(Buffer.from("x")))).rejects.toThrow(/not a storage key/);
  });

  it("fails the write, leaving nothing readable, when the incoming stream breaks", async () => {
    const storage = backends[name]!;
    const key = newStorageKey();
    const broken = new Readable({
      read() {
        this.push(Buffer.alloc(1024, 1));
        this.destroy(new Error("client went away"));
      },
    });
    await expect(storage.put(key, broken)).rejects.toThrow();
    expect(await storage.get(key)).toBeUndefined();
  });
});

describe("the app on the S3 backend", () => {
  it("uploads into the bucket and downloads the same bytes back", async () => {
    const t = await createTestApp({ DATA_DIR: path.join(dir, "app"), STORAGE_BACKEND: "s3", S3_ENDPOINT: `http://127.0.0.1:${s3Port}`, S3_BUCKET: "clientdesk-docs", S3_ACCESS_KEY_ID: "S3RVER", S3_SECRET_ACCESS_KEY: "S3RVER", S3_FORCE_PATH_STYLE: "true" });
    try {
      const user = await makeUser(t.db, { role: "staff" });
      const agent = await signedIn(t.app, user.email);
      const client = await makeClient(t.db, user.id);
      const pdf = pdfWithText("kept in the bucket");
      expect((await upload(agent, "/documents", { typeId: await typeId(t.db, "other"), clientId: client.id, title: "In S3" }, [{ bytes: pdf, name: "s3.pdf" }])).status).toBe(303);
      const version = await t.db.documentVersion.findFirstOrThrow({ where: { document: { title: "In S3" } } });
      expect(sha(await readAll((await backends.s3!.get(version.storageKey))!, 1e6))).toBe(sha(pdf));
      const res = await fetchBytes(agent, `/documents/${version.documentId}/download`);
      expect(res.status).toBe(200);
      expect(sha(res.body as Buffer)).toBe(sha(pdf));
    } finally {
      await t.close();
    }
  });
});
