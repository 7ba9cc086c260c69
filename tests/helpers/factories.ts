// Builds valid records with overrides; each test makes the data it needs.
import { randomBytes } from "node:crypto";
import type { Db } from "../../src/db/client.ts";
import type { Role } from "../../src/generated/prisma/enums.ts";
import { hashPassword } from "../../src/auth/passwords.ts";

export const PASSWORD = "correct horse battery staple 42";
let cachedHash: Promise<string> | undefined;

export interface UserOverrides {
  email?: string;
  name?: string;
  role?: Role;
  relationshipTeam?: boolean;
  legalTeam?: boolean;
  viewConfidential?: boolean;
  department?: string | null;
  active?: boolean;
  mustChangePassword?: boolean;
  password?: string;
}

export async function makeUser(db: Db, overrides: UserOverrides = {}) {
  const { password, ...fields } = overrides;
  const tag = randomBytes(4).toString("hex");
  const passwordHash = password ? await hashPassword(password) : await (cachedHash ??= hashPassword(PASSWORD));
  return db.user.create({
    data: {
      email: `user-${tag}@example.test`,
      name: `Test User ${tag}`,
      role: "staff",
      ...fields,
      passwordHash,
    },
  });
}
