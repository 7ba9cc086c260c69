// THE access policy, part one: what each role and flag may do. Record visibility joins this module later.
import type { Role } from "../generated/prisma/enums.ts";
import { ForbiddenError } from "../errors.ts";

/** The signed-in user as the rest of the app sees it (no password hash, no counters). */
export interface CurrentUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  relationshipTeam: boolean;
  legalTeam: boolean;
  viewConfidential: boolean;
  department: string | null;
  mustChangePassword: boolean;
}

/** The users columns that make a CurrentUser, as SQL select items named like its fields (`alias` is the users table). */
export function currentUserColumnsSql(alias = "users"): string {
  const u = `${alias}.`;
  return `${u}id, ${u}email, ${u}name, ${u}role, ${u}relationship_team AS "relationshipTeam", ${u}legal_team AS "legalTeam",
    ${u}view_confidential AS "viewConfidential", ${u}department, ${u}must_change_password AS "mustChangePassword"`;
}

/** Where a request came from, written to the audit log next to the change. */
export interface RequestContext {
  ip?: string | undefined;
  userAgent?: string | undefined;
  requestId?: string | undefined;
}

/** The acting user of a service call, with the request it came from. */
export interface Actor extends CurrentUser {
  context: RequestContext;
}

export const ROLES = ["admin", "manager", "staff"] as const satisfies readonly Role[];

export const can = {
  manageUsers: (user: CurrentUser) => user.role === "admin",
  readAuditLog: (user: CurrentUser) => user.role === "admin",
  manageCategories: (user: CurrentUser) => user.role === "admin",
  /** Case types and their workflow templates. */
  manageCaseTypes: (user: CurrentUser) => user.role === "admin",
  manageDocumentTypes: (user: CurrentUser) => user.role === "admin",
  /** What the navigation offers under "Admin". */
  useAdmin: (user: CurrentUser) => user.role === "admin",
};

export type Permission = keyof typeof can;

/** A service's check that the acting user holds `permission`: Forbidden with `message` otherwise. */
export function permissionCheck(permission: Permission, message: string): (user: CurrentUser) => void {
  return (user) => {
    if (!can[permission](user)) throw new ForbiddenError(message);
  };
}
