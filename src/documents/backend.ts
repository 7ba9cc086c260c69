// Picks the storage backend from the configuration: the disk under DATA_DIR/storage by default, or S3.
import path from "node:path";
import type { Config } from "../config.ts";
import { DiskStorage, type DocumentStorage } from "./storage.ts";
import { S3Storage } from "./s3-storage.ts";

export function createDocumentStorage(config: Config): DocumentStorage {
  if (config.STORAGE_BACKEND === "disk") return new DiskStorage(path.join(config.DATA_DIR, "storage"));
  return new S3Storage({
    endpoint: config.S3_ENDPOINT,
    region: config.S3_REGION,
    bucket: config.S3_BUCKET!,
    accessKeyId: config.S3_ACCESS_KEY_ID,
    secretAccessKey: config.S3_SECRET_ACCESS_KEY,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
  });
}
