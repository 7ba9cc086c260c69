// Client logos: an image checked by its content (never its name), kept under DATA_DIR/uploads/logos outside the web
// root, served only through the client's visibility. Every change is audited in the transaction that records it.
import { randomUUID } from "node:crypto";
import { mkdir, readFile, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileTypeFromBuffer } from "file-type";
import type { Db, Tx } from "../db/client.ts";
import type { Actor } from "../access/roles.ts";
import { assertCan } from "../access/permissions.ts";
import { requireVisibleClient } from "../access/records.ts";
import { changedFields, recordAudit } from "../audit/service.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { isUuid } from "../web/fields.ts";

export const LOGO_MAX_BYTES = 2 * 1024 * 1024;
/** The only kinds of logo accepted, by detected content type. SVG is left out on purpose: it can carry scripts. */
export const LOGO_TYPES: Readonly<Record<string, string>> = { "image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif" };
/** The upload route, for the app-wide CSRF check to leave its multipart body to the route (see web/csrf.ts). */
export const LOGO_UPLOAD_PATH = /^\/clients\/[^/]+\/logo\/?$/i;

const AUDITED = ["logoFile", "logoContentType"] as const;

/** Where logo files live: DATA_DIR/uploads/logos, one file per logo named by a random UUID. */
export class LogoStore {
  readonly dir: string;
  constructor(dataDir: string) {
    this.dir = path.resolve(dataDir, "uploads", "logos");
  }

  private pathOf(file: string): string {
    // Stored names are our own UUIDs; anything else never reaches the file system.
    if (!isUuid(file)) throw new NotFoundError();
    return path.join(this.dir, file);
  }

  async save(bytes: Buffer): Promise<string> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = randomUUID();
    await writeFile(this.pathOf(file), bytes, { flag: "wx", mode: 0o600 });
    return file;
  }

  async read(file: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathOf(file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  async remove(file: string | null | undefined): Promise<void> {
    if (!file) return;
    try {
      await unlink(this.pathOf(file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
}

/** The content type of an acceptable logo, from its first bytes; a ValidationError for anything else. */
export async function detectLogoType(bytes: Buffer): Promise<string> {
  const detected = bytes.length ? await fileTypeFromBuffer(bytes) : undefined;
  if (!detected || !LOGO_TYPES[detected.mime]) {
    throw new ValidationError({ logo: "The logo must be a PNG, JPEG, WebP or GIF image; this file is not one of those, whatever its name says." });
  }
  return detected.mime;
}

/** 404 unless the actor may see the client (hidden and missing look the same). */
export async function assertClientVisible(db: Db | Tx, actor: Actor, clientId: string): Promise<void> {
  await requireVisibleClient(db, actor, clientId);
}

async function lockVisibleClient(tx: Tx, actor: Actor, clientId: string) {
  await requireVisibleClient(tx, actor, clientId, { lock: true });
  return tx.client.findUniqueOrThrow({ where: { id: clientId }, select: { id: true, logoFile: true, logoContentType: true } });
}

/** Replaces the client's logo. The file is written first and only referenced once the transaction commits. */
export async function setClientLogo(db: Db, store: LogoStore, actor: Actor, clientId: string, bytes: Buffer): Promise<void> {
  assertCan(actor, "client.edit");
  await assertClientVisible(db, actor, clientId);
  if (bytes.length > LOGO_MAX_BYTES) throw new ValidationError({ logo: "The logo must be at most 2 MB." });
  const contentType = await detectLogoType(bytes);
  const file = await store.save(bytes);
  let previous: string | null = null;
  try {
    await db.$transaction(async (tx) => {
      const before = await lockVisibleClient(tx, actor, clientId);
      previous = before.logoFile;
      const after = await tx.client.update({ where: { id: clientId }, data: { logoFile: file, logoContentType: contentType, updatedById: actor.id }, select: { logoFile: true, logoContentType: true } });
      await recordAudit(tx, {
        actorId: actor.id,
        action: "client.logo_update",
        entityType: "client",
        entityId: clientId,
        changes: { ...changedFields(before, after, AUDITED), logoBytes: { before: null, after: bytes.length } },
        context: actor.context,
      });
    });
  } catch (error) {
    await store.remove(file);
    throw error;
  }
  await store.remove(previous);
}

/** Removes the client's logo; false when there was none. */
export async function removeClientLogo(db: Db, store: LogoStore, actor: Actor, clientId: string): Promise<boolean> {
  assertCan(actor, "client.edit");
  const previous = await db.$transaction(async (tx) => {
    const before = await lockVisibleClient(tx, actor, clientId);
    if (!before.logoFile) return null;
    const after = await tx.client.update({ where: { id: clientId }, data: { logoFile: null, logoContentType: null, updatedById: actor.id }, select: { logoFile: true, logoContentType: true } });
    await recordAudit(tx, { actorId: actor.id, action: "client.logo_delete", entityType: "client", entityId: clientId, changes: changedFields(before, after, AUDITED), context: actor.context });
    return before.logoFile;
  });
  if (!previous) return false;
  await store.remove(previous);
  return true;
}

/** The logo bytes and type for a client the actor may see; NotFound when hidden, missing or without a logo. */
export async function clientLogo(db: Db, store: LogoStore, actor: Actor, clientId: string): Promise<{ bytes: Buffer; contentType: string }> {
  await requireVisibleClient(db, actor, clientId);
  const client = await db.client.findUnique({ where: { id: clientId }, select: { logoFile: true, logoContentType: true } });
  if (!client?.logoFile || !client.logoContentType || !LOGO_TYPES[client.logoContentType]) throw new NotFoundError();
  const bytes = await store.read(client.logoFile);
  if (!bytes) throw new NotFoundError();
  return { bytes, contentType: client.logoContentType };
}
