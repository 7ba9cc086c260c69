// Encryption of TOTP secrets at rest: AES-256-GCM with a key from TWO_FACTOR_KEY, or else from DATA_DIR/two-factor.key,
// generated once (mode 0600) when the first secret is stored. Backups must include that key: without it no enrolled
// user can sign in (an administrator would have to reset every second factor).
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Config } from "../config.ts";

const VERSION = "v1";
export const KEY_FILE_NAME = "two-factor.key";

function parseKey(text: string, where: string): Buffer {
  const value = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, "hex") : Buffer.from(value, "base64");
  if (key.length !== 32) throw new Error(`${where} must be 32 bytes, as 64 hex characters or base64 (e.g. \`openssl rand -hex 32\`).`);
  return key;
}

/** The key: TWO_FACTOR_KEY when set, else the key file in DATA_DIR (created the first time, by one process only). */
export function loadTwoFactorKey(config: Pick<Config, "TWO_FACTOR_KEY" | "DATA_DIR">): Buffer {
  if (config.TWO_FACTOR_KEY) return parseKey(config.TWO_FACTOR_KEY, "TWO_FACTOR_KEY");
  const file = path.resolve(config.DATA_DIR, KEY_FILE_NAME);
  try {
    return parseKey(readFileSync(file, "utf8"), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    writeFileSync(file, randomBytes(32).toString("hex") + "\n", { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error; // another process made it first: use theirs
  }
  return parseKey(readFileSync(file, "utf8"), file);
}

export interface SecretBox {
  /** Encrypts `plain` for `owner` (bound as associated data: the result does not open for anyone else). */
  sealFor(owner: string, plain: string): string;
  openFor(owner: string, sealed: string): string;
}

/** AES-256-GCM with a fresh 12-byte IV per secret; the key is read on first use. */
export function secretBox(keyOf: () => Buffer): SecretBox {
  let cached: Buffer | undefined;
  const key = () => (cached ??= keyOf());
  const sealFor = (aad: string, plain: string) => {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key(), iv);
    cipher.setAAD(Buffer.from(aad));
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return [VERSION, iv.toString("base64"), cipher.getAuthTag().toString("base64"), body.toString("base64")].join(":");
  };
  const openFor = (aad: string, sealed: string) => {
    const [version, iv, tag, body] = sealed.split(":");
    if (version !== VERSION || !iv || !tag || body === undefined) throw new Error("unreadable two-factor secret");
    const decipher = createDecipheriv("aes-256-gcm", key(), Buffer.from(iv, "base64"));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(tag, "base64"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64")), decipher.final()]).toString("utf8");
  };
  return { sealFor, openFor };
}
