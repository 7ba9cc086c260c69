// The notices features write where their events happen, inside the same transaction as the write (one INSERT each,
// none when the actor assigns something to themselves): a case made mine (as its manager, with the stages its
// template assigns to the manager), a workflow stage assigned to me, a communication follow-up assigned to me, a
// roundtable action item assigned to me. Approvals waiting are derived from the workflow's state (who may approve
// depends on role, flags and case visibility): a notice is written for each approval the first time the approver's
// dashboard or the daily digest finds it waiting, once (dedupe key per stage and approver).
import { createHash } from "node:crypto";
import type { Db, Tx } from "../db/client.ts";
import type { CurrentUser } from "../access/roles.ts";
import type { WaitingApproval } from "../cases/workflow.ts";
import { notify } from "./service.ts";

export const NOTICE_KINDS = {
  caseAssigned: "case_assigned",
  stageAssigned: "stage_assigned",
  followUpAssigned: "follow_up_assigned",
  actionItemAssigned: "action_item_assigned",
  approvalWaiting: "approval_waiting",
} as const;

const clip = (text: string, max = 160) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** A case whose manager is now `managerId` (created or reassigned by someone else). */
export async function noticeCaseAssigned(
  tx: Tx,
  actorId: string,
  kase: { id: string; caseNumber: string; title: string; clientId: string; managerId: string; stages?: number },
): Promise<void> {
  if (kase.managerId === actorId) return;
  const stages = kase.stages ? ` Its ${kase.stages} workflow stage${kase.stages === 1 ? " is" : "s are"} assigned to you.` : "";
  await notify(tx, [
    {
      userId: kase.managerId,
      kind: NOTICE_KINDS.caseAssigned,
      title: clip(`Case ${kase.caseNumber} assigned to you: ${kase.title}`),
      body: `You are the case manager.${stages}`,
      link: `/cases/${kase.id}`,
      clientId: kase.clientId,
    },
  ]);
}

/** A workflow stage whose assignee is now `assigneeId`. */
export async function noticeStageAssigned(
  tx: Tx,
  actorId: string,
  stage: { name: string; deadline: Date | null; assigneeId: string | null },
  kase: { id: string; caseNumber: string; clientId: string },
): Promise<void> {
  if (!stage.assigneeId || stage.assigneeId === actorId) return;
  await notify(tx, [
    {
      userId: stage.assigneeId,
      kind: NOTICE_KINDS.stageAssigned,
      title: clip(`Stage "${stage.name}" of ${kase.caseNumber} assigned to you`),
      body: stage.deadline ? `Due ${stage.deadline.toISOString().slice(0, 10)}.` : null,
      link: `/cases/${kase.id}/workflow`,
      clientId: kase.clientId,
    },
  ]);
}

/** A communication's follow-up whose assignee is now `assigneeId`. */
export async function noticeFollowUpAssigned(
  tx: Tx,
  actorId: string,
  communication: { id: string; subject: string; clientId: string; followUpDue: Date | null; assigneeId: string | null },
): Promise<void> {
  if (!communication.assigneeId || communication.assigneeId === actorId) return;
  await notify(tx, [
    {
      userId: communication.assigneeId,
      kind: NOTICE_KINDS.followUpAssigned,
      title: clip(`Follow-up assigned to you: ${communication.subject}`),
      body: communication.followUpDue ? `Due ${communication.followUpDue.toISOString().slice(0, 10)}.` : null,
      link: `/communications/${communication.id}`,
      clientId: communication.clientId,
    },
  ]);
}

/** A roundtable action item assigned to `assigneeId` (for the roundtable's service to call in its transaction). */
export async function noticeActionItemAssigned(
  tx: Tx,
  actorId: string,
  item: { entryId: string; description: string; clientId: string; dueDate: Date; assigneeId: string; link: string },
): Promise<void> {
  if (item.assigneeId === actorId) return;
  await notify(tx, [
    {
      userId: item.assigneeId,
      kind: NOTICE_KINDS.actionItemAssigned,
      title: clip(`Action item assigned to you: ${item.description}`),
      body: `Due ${item.dueDate.toISOString().slice(0, 10)}.`,
      link: item.link,
      clientId: item.clientId,
      // Once per entry, assignee and item text: saving the entry again, or ending the meeting, writes nothing more.
      dedupeKey: `action-item:${item.entryId}:${item.assigneeId}:${createHash("sha256").update(item.description).digest("hex").slice(0, 32)}`,
    },
  ]);
}

/** Notices for approvals waiting for `user` (as found by approvalsWaitingFor), each written once per stage and approver. */
export async function noticeApprovalsWaiting(db: Db | Tx, user: CurrentUser, approvals: WaitingApproval[]): Promise<number> {
  const written = await notify(
    db,
    approvals.map((a) => ({
      userId: user.id,
      kind: NOTICE_KINDS.approvalWaiting,
      title: clip(`Approval waiting: "${a.stage_name}" of ${a.case_number}`),
      body: clip(`${a.title} (${a.approvals} of ${a.min_approvers} approvals so far)`),
      link: `/cases/${a.case_id}/workflow#stage-${a.stage_id}`,
      dedupeKey: `approval:${a.stage_id}:${user.id}`,
    })),
  );
  return written.length;
}
