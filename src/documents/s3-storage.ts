// The S3-compatible backend (AWS S3, MinIO, Ceph, R2 ...): objects in one bucket under the same keys as on disk.
// Uploads stream through @aws-sdk/lib-storage (multipart for large files), so no file is held whole in memory.
import type { S3Client } from "@aws-sdk/client-s3";
import type { Readable } from "node:stream";
import { Measure, isStorageKey, type DocumentStorage, type ListedObject, type StoredObject } from "./storage.ts";

export interface S3Settings {
  endpoint?: string | undefined;
  region: string;
  bucket: string;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  forcePathStyle: boolean;
}

// The SDK is loaded on first use, not at start-up (it takes seconds to load), and only by firms that use S3.
const sdk = () => Promise.all([import("@aws-sdk/client-s3"), import("@aws-sdk/lib-storage")]);

export class S3Storage implements DocumentStorage {
  readonly kind = "s3" as const;
  readonly bucket: string;
  private readonly settings: S3Settings;
  private client?: Promise<S3Client>;

  constructor(settings: S3Settings) {
    this.bucket = settings.bucket;
    this.settings = settings;
  }

  private connect(): Promise<S3Client> {
    const settings = this.settings;
    this.client ??= sdk().then(
      ([{ S3Client }]) =>
        new S3Client({
          region: settings.region,
          endpoint: settings.endpoint,
          forcePathStyle: settings.forcePathStyle,
          credentials: settings.accessKeyId && settings.secretAccessKey ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } : undefined,
          // Checksums only where S3 requires them: many S3-compatible stores do not understand the newer trailing ones.
          requestChecksumCalculation: "WHEN_REQUIRED",
          responseChecksumValidation: "WHEN_REQUIRED",
        }),
    );
    return this.client;
  }

  async put(key: string, body: Readable): Promise<StoredObject> {
    if (!isStorageKey(key)) throw new Error(`not a storage key: ${key}`);
    const [client, [, { Upload }]] = await Promise.all([this.connect(), sdk()]);
    const measure = new Measure();
    body.on("error", (error) => measure.destroy(error));
    // The upload completes only once the store has the whole object: S3 acknowledges a PUT after it is durable.
    await new Upload({ client, params: { Bucket: this.bucket, Key: key, Body: body.pipe(measure) }, queueSize: 2, partSize: 5 * 1024 * 1024 }).done();
    return { size: measure.byteCount, sha256: measure.digest() };
  }

  async get(key: string): Promise<Readable | undefined> {
    const [client, [{ GetObjectCommand }]] = await Promise.all([this.connect(), sdk()]);
    try {
      const result = await client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return result.Body as Readable;
    } catch (error) {
      const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === "NoSuchKey" || e.$metadata?.httpStatusCode === 404) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    const [client, [{ DeleteObjectCommand }]] = await Promise.all([this.connect(), sdk()]);
    await client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async *list(): AsyncIterable<ListedObject> {
    const [client, [{ ListObjectsV2Command }]] = await Promise.all([this.connect(), sdk()]);
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: "documents/", ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        if (object.Key && isStorageKey(object.Key)) yield { key: object.Key, modifiedAt: object.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
}
