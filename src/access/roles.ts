// Who is acting: the signed-in user as the app sees it, and where the request came from. What each role and flag may
// do is in permissions.ts; which records they may see, in clients.ts and cases.ts.
import type { Role } from "../generated/prisma/enums.ts";
import { ForbiddenError } from "../errors.ts";
import { can as may } from "./permissions.ts";

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

/** Role permissions by their older names, for pages and guards; each is the action of the same meaning in permissions.ts. */
export const can = {
  manageUsers: (user: CurrentUser) => may(user, "users.manage"),
  readAuditLog: (user: CurrentUser) => may(user, "audit.read"),
  manageSecurity: (user: CurrentUser) => may(user, "security.manage"),
  manageCategories: (user: CurrentUser) => may(user, "categories.manage"),
  manageCaseTypes: (user: CurrentUser) => may(user, "caseTypes.manage"),
  manageDocumentTypes: (user: CurrentUser) => may(user, "documentTypes.manage"),
  /** What the navigation offers under "Admin". */
  useAdmin: (user: CurrentUser) => may(user, "admin.use"),
};

export type Permission = keyof typeof can;

/** @deprecated use assertCan(actor, action) from permissions.ts, whose actions carry their messages. */
export function permissionCheck(permission: Permission, message: string): (user: CurrentUser) => void {
  return (user) => {
    if (!can[permission](user)) throw new ForbiddenError(message);
  };
}
