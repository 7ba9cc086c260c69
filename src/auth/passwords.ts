// Password hashing (argon2id, OWASP parameters) and the minimum-strength rule for new passwords.
import { hash, verify, type Algorithm } from "@node-rs/argon2";
import { randomBytes } from "node:crypto";
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import * as common from "@zxcvbn-ts/language-common";

// Algorithm is a const enum (not importable under isolatedModules): 2 is Argon2id.
const ARGON2 = { algorithm: 2 as Algorithm, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash of a random password, verified against for unknown emails so they take as long as known ones. */
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword(randomBytes(16).toString("hex"));
  return decoyHash;
}

export const MIN_PASSWORD_LENGTH = 12;
const zxcvbn = new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });

/** Returns why a password is too weak, or undefined when it is acceptable. */
export function passwordWeakness(password: string, personal: string[] = []): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (password.length > 256) return "Use at most 256 characters.";
  // Whole values and an email's local part too: zxcvbn matches dictionary words, so the split words alone
  // would let the user's own name or email ("Ada Lovelace", "ada.lovelace@firm.example") through.
  const lower = personal.map((p) => p.toLowerCase());
  const words = [...lower, ...lower.map((p) => p.split("@")[0]!), ...lower.flatMap((p) => p.split(/[^a-z0-9]+/))].filter((w) => w.length >= 3);
  const result = zxcvbn.check(password.slice(0, 100), [...new Set(words)]);
  if (result.score < 3) return "This password is too easy to guess: avoid common words, names, dates and keyboard patterns, or make it longer.";
  return undefined;
}

/** A strong random password for the first admin and for admin resets (printed or shown once). */
export function generatePassword(): string {
  return randomBytes(18).toString("base64url");
}
