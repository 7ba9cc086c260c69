// Where document bytes live. One interface, two backends chosen by configuration: the local disk under DATA_DIR
// (the default) and an S3-compatible object store. Bytes are streamed both ways and never held whole in memory;
// `put` returns the size and SHA-256 it measured on the way, and returns only once the bytes are durable.
import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, readdir, rename, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

export interface StoredObject {
  size: number;
  sha256: string;
}

export interface ListedObject {
  key: string;
  modifiedAt: Date;
}

export interface DocumentStorage {
  readonly kind: "disk" | "s3";
  /** Writes `body` under `key` (a new key; never overwrites) and resolves once it is durable. */
  put(key: string, body: Readable): Promise<StoredObject>;
  /** The stored bytes as a stream; undefined when there is no such object. */
  get(key: string): Promise<Readable | undefined>;
  delete(key: string): Promise<void>;
  /** Every stored key, for the orphan cleanup. */
  list(): AsyncIterable<ListedObject>;
}

/** A new storage key: random, so nothing from a user (name, title) reaches a path or an object name. */
export function newStorageKey(): string {
  const id = randomUUID();
  return `documents/${id.slice(0, 2)}/${id}`;
}

const KEY = /^documents\/[0-9a-f]{2}\/[0-9a-f-]{36}$/;

export function isStorageKey(key: string): boolean {
  return KEY.test(key);
}

/** Counts and hashes the bytes that pass through. */
export class Measure extends Transform {
  /** Not `size`: lib-storage reads a body's `size` as its length up front. */
  byteCount = 0;
  private readonly hash = createHash("sha256");
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null, data?: Buffer) => void) {
    this.byteCount += chunk.length;
    this.hash.update(chunk);
    done(null, chunk);
  }
  digest(): string {
    return this.hash.digest("hex");
  }
}

/** Files under `root` (DATA_DIR/storage), written to a partial file, fsynced, renamed into place, directory fsynced. */
export class DiskStorage implements DocumentStorage {
  readonly kind = "disk" as const;
  readonly root: string;
  constructor(root: string) {
    this.root = path.resolve(root);
  }

  private pathOf(key: string): string {
    if (!isStorageKey(key)) throw new Error(`not a storage key: ${key}`);
    return path.join(this.root, ...key.split("/"));
  }

  async put(key: string, body: Readable): Promise<StoredObject> {
    const final = this.pathOf(key);
    const dir = path.dirname(final);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const partial = `${final}.partial`;
    const measure = new Measure();
    try {
      await pipeline(body, measure, createWriteStream(partial, { flags: "wx", mode: 0o600 }));
      await fsync(partial);
      await rename(partial, final);
      await fsync(dir);
    } catch (error) {
      await unlink(partial).catch(() => undefined);
      throw error;
    }
    return { size: measure.byteCount, sha256: measure.digest() };
  }

  async get(key: string): Promise<Readable | undefined> {
    const file = this.pathOf(key);
    try {
      await stat(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    return createReadStream(file);
  }

  async delete(key: string): Promise<void> {
    const partial = key.endsWith(".partial");
    const file = this.pathOf(partial ? key.slice(0, -".partial".length) : key) + (partial ? ".partial" : "");
    await unlink(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
    });
  }

  async *list(): AsyncIterable<ListedObject> {
    const top = path.join(this.root, "documents");
    const shards = await readdir(top).catch(() => [] as string[]);
    for (const shard of shards) {
      const files = await readdir(path.join(top, shard)).catch(() => [] as string[]);
      for (const file of files) {
        const full = path.join(top, shard, file);
        const key = `documents/${shard}/${file.replace(/\.partial$/, "")}`;
        if (!isStorageKey(key)) continue;
        const info = await stat(full).catch(() => undefined);
        // A partial file left by a crash is listed under the key it was meant for: the cleanup removes it with it.
        if (info) yield { key: file.endsWith(".partial") ? `${key}.partial` : key, modifiedAt: info.mtime };
      }
    }
  }
}

async function fsync(file: string): Promise<void> {
  const handle = await open(file, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

