// What each role and flag may DO, one entry per action with the message a refusal shows: services call
// assertCan(actor, "client.create"), pages ask can(user, "client.create") to offer a button. Visibility (who may know
// a record exists) is not here but in clients.ts and cases.ts, and is checked first, so hidden records stay 404.
import { ForbiddenError } from "../errors.ts";
import { StageType } from "../generated/prisma/enums.ts";
import type { CurrentUser } from "./roles.ts";
import type { CaseFacts, StageFacts } from "./cases.ts";

/** The facts about a visible communication that decide what a user may do to it. */
export interface CommunicationFacts {
  loggedById: string;
  followUpAssigneeId: string | null;
}

const isAdmin = (user: CurrentUser) => user.role === "admin";
const isManagerOrAdmin = (user: CurrentUser) => user.role === "admin" || user.role === "manager";
const isOnCase = (user: CurrentUser, facts: CaseFacts) => facts.managerId === user.id || facts.teamUserIds.includes(user.id);
const editsCase = (user: CurrentUser, facts: CaseFacts) => isManagerOrAdmin(user) || isOnCase(user, facts);
const isReviewStage = (stage: StageFacts) => stage.stageType === "legal_review" || stage.stageType === "compliance_review";

interface Rule<F> {
  allowed: (user: CurrentUser, facts: F) => boolean;
  message: string | ((facts: F) => string);
}
const rule = <F = void>(allowed: (user: CurrentUser, facts: F) => boolean, message: Rule<F>["message"]): Rule<F> => ({ allowed, message });

const ACTIONS = {
  "users.manage": rule(isAdmin, "Only administrators manage users."),
  "audit.read": rule(isAdmin, "Only administrators read the audit log."),
  /** Firm-wide security settings: whether two-factor sign-in is required, and for whom. */
  "security.manage": rule(isAdmin, "Only administrators change security settings."),
  "categories.manage": rule(isAdmin, "Only administrators manage categories."),
  "caseTypes.manage": rule(isAdmin, "Only administrators manage case types and templates."),
  "documentTypes.manage": rule(isAdmin, "Only administrators manage document types."),
  /** What the navigation offers under "Admin". */
  "admin.use": rule(isAdmin, "This page is for administrators."),

  /** Staff browse and edit clients; managers and admins also create, import and bulk-update them. */
  "client.create": rule(isManagerOrAdmin, "Only managers and administrators create clients."),
  "client.edit": rule(() => true, "You may not change this client."),
  "client.editContacts": rule(() => true, "You may not change this client's contacts."),
  /** Changing who may see a client (restriction, classification). */
  "client.changeConfidentiality": rule(isManagerOrAdmin, "Only managers and administrators change a client's confidentiality."),
  "client.deactivate": rule(isAdmin, "Only administrators deactivate clients."),
  "client.reactivate": rule(isAdmin, "Only administrators reactivate clients."),
  "client.delete": rule(isAdmin, "Only administrators delete clients."),
  "client.bulkUpdate": rule(isManagerOrAdmin, "Only managers and administrators run bulk updates."),
  "client.import": rule(isManagerOrAdmin, "Only managers and administrators import clients."),

  /** Anyone may open a case for a client they can see; staff who do are put on its team. */
  "case.create": rule(() => true, "You may not open cases."),
  /** Its manager and team, and managers and admins who see it; the legal team reviews but does not edit. */
  "case.edit": rule<CaseFacts>(editsCase, "Only the case's manager and team, managers and administrators edit a case."),
  "case.changeStatus": rule<CaseFacts>(editsCase, "Only the case's manager and team, managers and administrators change its status."),
  "case.manageTeam": rule<CaseFacts>((u, f) => isManagerOrAdmin(u) || f.managerId === u.id, "Only the case manager, managers and administrators change a case's team."),
  "case.planStages": rule<CaseFacts>(editsCase, "Only the case's manager and team, managers and administrators plan stages."),
  "case.skipStage": rule<CaseFacts>(editsCase, "Only the case's manager and team, managers and administrators skip stages."),
  /** Soft delete: managers and admins; only admins see deleted cases and restore them. */
  "case.delete": rule(isManagerOrAdmin, "Only managers and administrators delete cases."),
  "case.restore": rule(isAdmin, "Only administrators see and restore deleted cases."),
  /** Starting or completing a stage: whoever may edit the case, and the stage's assignee. */
  "stage.work": rule<{ kase: CaseFacts; stage: StageFacts }>(
    (u, f) => editsCase(u, f.kase) || f.stage.assigneeId === u.id,
    "Only the case's manager and team, managers, administrators and the stage's assignee work on stages.",
  ),
  /** Approving: managers, admins and the legal team; legal and compliance review stages only the legal team. */
  "stage.approve": rule<StageFacts>(
    (u, stage) => (isReviewStage(stage) ? u.legalTeam : isManagerOrAdmin(u) || u.legalTeam),
    (stage) => (isReviewStage(stage) ? "Only the legal team approves legal and compliance reviews." : "Only managers, administrators and the legal team approve stages."),
  ),

  /** Documents: anyone who sees the client or case uploads, adds versions and edits; deleting is for the uploader, managers and admins. */
  "document.upload": rule(() => true, "You may not upload documents."),
  "document.addVersion": rule(() => true, "You may not add versions."),
  "document.edit": rule(() => true, "You may not edit this document."),
  /** Adding an existing document to another case of its client, and unlinking it: whoever sees both. */
  "document.linkCase": rule(() => true, "You may not link documents to cases."),
  "document.delete": rule<{ uploaderId: string }>((u, f) => isManagerOrAdmin(u) || u.id === f.uploaderId, "Only its uploader, managers and administrators delete a document."),
  /** Only admins see deleted documents and restore them. */
  "document.restore": rule(isAdmin, "Only administrators restore documents."),

  /** Communications: anyone who sees a client logs a contact; its author, managers and admins edit and delete it. */
  "communication.log": rule(() => true, "You may not log communications."),
  "communication.edit": rule<CommunicationFacts>((u, f) => isManagerOrAdmin(u) || f.loggedById === u.id, "Only its author, managers and administrators edit a communication."),
  "communication.delete": rule<CommunicationFacts>((u, f) => isManagerOrAdmin(u) || f.loggedById === u.id, "Only its author, managers and administrators delete a communication."),
  /** Completing a follow-up: also its assignee. */
  "communication.completeFollowUp": rule<CommunicationFacts>(
    (u, f) => isManagerOrAdmin(u) || f.loggedById === u.id || f.followUpAssigneeId === u.id,
    "Only the assignee, the author, managers and administrators complete a follow-up.",
  ),

  /** Feedback: recorded (and edited until finalized) by the client's team, managers and admins; finalized by managers and admins. */
  "feedback.record": rule<{ onClientTeam: boolean }>((u, f) => f.onClientTeam || isManagerOrAdmin(u), "Feedback is recorded by the client's team, managers and administrators."),
  "feedback.finalize": rule(isManagerOrAdmin, "Only managers and administrators finalize feedback."),

  /** Pipeline: anyone captures leads and opens prospects (owning them); managers and admins assign, accept, import. */
  "pipeline.create": rule(() => true, "You may not add to the pipeline."),
  "pipeline.assignOwner": rule(isManagerOrAdmin, "Only managers and administrators give pipeline records to someone else."),
  "pipeline.delete": rule<{ ownerId: string }>((u, f) => isManagerOrAdmin(u) || f.ownerId === u.id, "Only the record's owner, managers and administrators delete it."),
  "pipeline.work": rule<{ ownerId: string }>((u, f) => isManagerOrAdmin(u) || f.ownerId === u.id, "Only the record's owner, managers and administrators change it."),
  /** Accepting a proposal creates a client, so it is for those who create clients. */
  "pipeline.accept": rule(isManagerOrAdmin, "Only managers and administrators accept proposals."),
  "pipeline.manageCampaigns": rule(isManagerOrAdmin, "Only managers and administrators manage campaigns."),
  "pipeline.import": rule(isManagerOrAdmin, "Only managers and administrators import leads."),

  /** Dashboards: the workload view is for managers (their department) and admins (every department). */
  "dashboard.workload": rule(isManagerOrAdmin, "The workload view is for managers and administrators."),
} satisfies Record<string, Rule<never>>;

export type Action = keyof typeof ACTIONS;
type FactsOf<A extends Action> = (typeof ACTIONS)[A] extends Rule<infer F> ? F : never;
type FactsArgs<A extends Action> = FactsOf<A> extends void ? [] : [facts: FactsOf<A>];

/** Whether `user` may take `action` (on a record they can see). */
export function can<A extends Action>(user: CurrentUser, action: A, ...facts: FactsArgs<A>): boolean {
  return (ACTIONS[action] as Rule<FactsOf<A>>).allowed(user, facts[0] as FactsOf<A>);
}

/** Refuses with the action's message (403) unless `user` may take `action`. */
export function assertCan<A extends Action>(user: CurrentUser, action: A, ...facts: FactsArgs<A>): void {
  if (can(user, action, ...facts)) return;
  const { message } = ACTIONS[action] as Rule<FactsOf<A>>;
  throw new ForbiddenError(typeof message === "string" ? message : message(facts[0] as FactsOf<A>));
}

/** The kinds of stage `user` may approve (from "stage.approve"), for queries of the approvals waiting for them. */
export function approvableStageTypes(user: CurrentUser): string[] {
  return Object.values(StageType).filter((stageType) => can(user, "stage.approve", { stageType, assigneeId: null }));
}
