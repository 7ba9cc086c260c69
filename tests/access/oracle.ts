// DOMAIN.md's visibility rules ("Who may see a record", Cases: Visibility), stated plainly in TypeScript over an
// in-memory world: the oracle every read path's SQL is checked against. Nothing here is shared with src/access/.

export interface OUser {
  id: string;
  role: "admin" | "manager" | "staff";
  relationshipTeam: boolean;
  legalTeam: boolean;
  viewConfidential: boolean;
  department: string | null;
}

export interface OClient {
  id: string;
  isConfidential: boolean;
  dataClassification: "public" | "confidential" | "privileged";
  accountManagerId: string | null;
  primaryPocId: string | null;
  secondaryPocId: string | null;
  teamUserIds: string[];
}

export interface OCase {
  id: string;
  clientId: string;
  managerId: string;
  teamUserIds: string[];
  legalReviewRequired: boolean;
  complianceReviewRequired: boolean;
  deleted: boolean;
}

export interface OWorld {
  users: OUser[];
  clients: OClient[];
  cases: OCase[];
}

const userOf = (world: OWorld, id: string) => world.users.find((u) => u.id === id)!;
const clientOf = (world: OWorld, id: string) => world.clients.find((c) => c.id === id)!;

/** The client's team: account manager, primary and secondary point of contact, team members. */
export function onClientTeam(user: OUser, client: OClient): boolean {
  return [client.accountManagerId, client.primaryPocId, client.secondaryPocId].includes(user.id) || client.teamUserIds.includes(user.id);
}

/** A restricted client exists only for its team and holders of "view confidential"; admins are not exempt. */
export function seesClient(user: OUser, client: OClient): boolean {
  return !client.isConfidential || user.viewConfidential || onClientTeam(user, client);
}

/** Privileged material is for the client's team only; "view confidential" does not open it. */
export function seesPrivilegedMaterial(user: OUser, client: OClient): boolean {
  return onClientTeam(user, client);
}

/**
 * Staff see cases they manage or are on the team of; managers also their department's (cases whose manager is in it);
 * the legal team cases needing legal or compliance review; admins all; never a hidden client's; never a deleted one.
 */
export function seesCase(world: OWorld, user: OUser, kase: OCase): boolean {
  if (kase.deleted || !seesClient(user, clientOf(world, kase.clientId))) return false;
  if (user.role === "admin") return true;
  if (kase.managerId === user.id || kase.teamUserIds.includes(user.id)) return true;
  if (user.role === "manager" && user.department !== null && userOf(world, kase.managerId).department === user.department) return true;
  return user.legalTeam && (kase.legalReviewRequired || kase.complianceReviewRequired);
}

/** Deleted cases: administrators only (the recovery page), hidden clients still hidden. */
export function seesDeletedCase(world: OWorld, user: OUser, kase: OCase): boolean {
  return kase.deleted && user.role === "admin" && seesClient(user, clientOf(world, kase.clientId));
}

/** A child record is visible exactly when its parent is. */
export function seesChild(world: OWorld, user: OUser, parent: "client" | "case", parentId: string): boolean {
  return parent === "client" ? seesClient(user, clientOf(world, parentId)) : seesCase(world, user, world.cases.find((k) => k.id === parentId)!);
}

/** Privileged material (a record marked privileged, anything of a privileged client) is for the client's team only. */
function privilegedOk(user: OUser, client: OClient, markedPrivileged: boolean): boolean {
  return !(markedPrivileged || client.dataClassification === "privileged") || onClientTeam(user, client);
}

/**
 * A document: its client's rule; with no client, the rule of the case it was filed on or of any further case of the
 * same client it is linked to; privileged ones for the client's team only.
 */
export function seesDocument(world: OWorld, user: OUser, doc: { clientId: string | null; caseId: string | null; privileged: boolean; linkedCaseIds?: string[] }): boolean {
  if (doc.clientId) {
    const client = clientOf(world, doc.clientId);
    return seesClient(user, client) && privilegedOk(user, client, doc.privileged);
  }
  const kase = world.cases.find((k) => k.id === doc.caseId)!;
  const through = [kase, ...(doc.linkedCaseIds ?? []).map((id) => world.cases.find((k) => k.id === id)!)];
  return through.some((k) => seesCase(world, user, k)) && privilegedOk(user, clientOf(world, kase.clientId), doc.privileged);
}

/** A communication: its client's rule and, when linked to a case, its case's too; privileged ones for the team only. */
export function seesCommunication(world: OWorld, user: OUser, m: { clientId: string; caseId: string | null; privileged: boolean }): boolean {
  const client = clientOf(world, m.clientId);
  if (!seesClient(user, client) || !privilegedOk(user, client, m.privileged)) return false;
  return m.caseId === null || seesCase(world, user, world.cases.find((k) => k.id === m.caseId)!);
}

/** Feedback: exactly its client's rule. */
export function seesFeedback(world: OWorld, user: OUser, clientId: string): boolean {
  return seesClient(user, clientOf(world, clientId));
}

/** Roundtable meetings: the relationship team only, whatever the role; an entry or action item also needs its client. */
export function seesRoundtable(world: OWorld, user: OUser, clientId: string | null): boolean {
  return user.relationshipTeam && (clientId === null || seesClient(user, clientOf(world, clientId)));
}
