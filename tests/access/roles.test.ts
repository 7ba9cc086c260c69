import { describe, expect, it } from "vitest";
import { can, ROLES, type CurrentUser } from "../../src/access/roles.ts";

function user(overrides: Partial<CurrentUser>): CurrentUser {
  return {
    id: "00000000-0000-4000-8000-000000000000",
    email: "someone@example.test",
    name: "Someone",
    role: "staff",
    relationshipTeam: false,
    legalTeam: false,
    viewConfidential: false,
    department: null,
    mustChangePassword: false,
    ...overrides,
  };
}

const everyFlag = { relationshipTeam: true, legalTeam: true, viewConfidential: true };

describe("role checks", () => {
  it("lets only administrators manage users, read the audit log and use the admin area", () => {
    for (const role of ROLES) {
      for (const flags of [{}, everyFlag]) {
        const u = user({ role, ...flags });
        const expected = role === "admin";
        expect(can.manageUsers(u), `${role} ${JSON.stringify(flags)}`).toBe(expected);
        expect(can.readAuditLog(u)).toBe(expected);
        expect(can.useAdmin(u)).toBe(expected);
      }
    }
  });

  it("does not let a flag stand in for the admin role", () => {
    expect(can.manageUsers(user({ role: "manager", ...everyFlag }))).toBe(false);
  });
});
