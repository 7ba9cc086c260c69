// The Workflow tab of a case and its stage actions (start, approve, complete, skip, plan). Mounted under /cases
// before the record routes, so it only answers /:id/workflow and /:id/stages/... paths.
import { Router, type Request, type Response } from "express";
import type { Db } from "../db/client.ts";
import type { Actor } from "../access/roles.ts";
import { actorOf } from "../web/context.ts";
import { flash } from "../web/flash.ts";
import { formValues, parseForm, type FieldErrors } from "../web/forms.ts";
import { isUuid } from "../web/fields.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { assertCan } from "../access/permissions.ts";
import { getCase, type CaseDetail } from "./service.ts";
import { LABELS, stageNoteForm, stageUpdateForm } from "./schemas.ts";
import { approveStage, completeStage, skipStage, stageButtonsFor, startStage, updateStage } from "./workflow.ts";

/** What a refused action says to the user: the conflict, or every field message of a validation error. */
function refusalOf(error: unknown): string | undefined {
  if (error instanceof ConflictError) return error.message;
  if (error instanceof ValidationError) return Object.values(error.fields).join(" ") || error.message;
  return undefined;
}

/** People a stage may be given to: the case manager and the team, and whoever holds a stage now. */
function assigneeChoices(kase: CaseDetail): { value: string; label: string }[] {
  const people = new Map<string, string>();
  people.set(kase.manager.id, `${kase.manager.name} (case manager)`);
  for (const member of kase.team) if (member.user.active) people.set(member.user.id, `${member.user.name} (${LABELS[member.role] ?? member.role})`);
  for (const stage of kase.stages) if (stage.assignee && !people.has(stage.assignee.id)) people.set(stage.assignee.id, `${stage.assignee.name} (no longer on the team)`);
  return [...people].map(([value, label]) => ({ value, label }));
}

const isoDate = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : "");

export function caseWorkflowRoutes(db: Db) {
  const router = Router();

  async function renderWorkflow(res: Response, actor: Actor, id: string, options: { status?: number; audit?: boolean; formStageId?: string; errors?: FieldErrors; values?: Record<string, string | string[]> } = {}) {
    const { case: kase, permissions } = await getCase(db, actor, id, { audit: options.audit ?? true });
    const buttons = stageButtonsFor(actor, kase);
    const stageValues = Object.fromEntries(
      kase.stages.map((s) => [s.id, s.id === options.formStageId && options.values ? options.values : { assigneeId: s.assigneeId ?? "", deadline: isoDate(s.deadline), notes: s.notes ?? "" }]),
    );
    res.status(options.status ?? 200).render("cases/workflow", {
      title: `${kase.caseNumber} · Workflow`,
      kase,
      labels: LABELS,
      permissions,
      buttons,
      assignees: assigneeChoices(kase),
      stageValues,
      stageErrors: options.formStageId ? { [options.formStageId]: options.errors ?? {} } : {},
      today: isoDate(new Date()),
      isoDate,
    });
  }

  router.get("/:id/workflow", async (req, res) => {
    await renderWorkflow(res, actorOf(req), req.params.id);
  });

  /** A stage action: run it, say what happened (or why not) and go back to the stage. Hidden is 404, forbidden 403. */
  function stageAction(path: string, run: (actor: Actor, caseId: string, stageId: string, req: Request) => Promise<string>) {
    router.post(`/:id/stages/:stageId/${path}`, async (req, res) => {
      const { id, stageId } = req.params;
      if (!isUuid(id) || !isUuid(stageId)) throw new NotFoundError();
      const actor = actorOf(req);
      try {
        flash(req, "success", await run(actor, id, stageId, req));
      } catch (error) {
        const refusal = refusalOf(error);
        if (!refusal) throw error;
        flash(req, "error", refusal);
      }
      res.redirect(`/cases/${id}/workflow#stage-${stageId}`);
    });
  }

  /** The note of an approval or completion; a bad one is refused once the case is known to be visible. */
  async function noteOf(actor: Actor, caseId: string, req: Request): Promise<string | null> {
    const form = parseForm(stageNoteForm, req.body);
    if (form.ok) return form.data.note;
    await getCase(db, actor, caseId, { audit: false });
    throw new ValidationError(form.errors);
  }

  stageAction("start", async (actor, caseId, stageId) => {
    const { name } = await startStage(db, actor, caseId, stageId);
    return `Stage "${name}" started.`;
  });

  stageAction("approve", async (actor, caseId, stageId, req) => {
    const { name, approvals, needed } = await approveStage(db, actor, caseId, stageId, await noteOf(actor, caseId, req));
    return `Stage "${name}" approved (${approvals} of ${needed}).${approvals >= needed ? " It has all the approvals it needs and can be completed." : ""}`;
  });

  stageAction("complete", async (actor, caseId, stageId, req) => {
    const { name } = await completeStage(db, actor, caseId, stageId, await noteOf(actor, caseId, req));
    return `Stage "${name}" completed.`;
  });

  stageAction("skip", async (actor, caseId, stageId) => {
    const { name } = await skipStage(db, actor, caseId, stageId);
    return `Stage "${name}" skipped.`;
  });

  // Planning a stage: a bad field re-renders the tab with the typed values and the message next to the field.
  router.post("/:id/stages/:stageId", async (req, res) => {
    const { id, stageId } = req.params;
    if (!isUuid(id) || !isUuid(stageId)) throw new NotFoundError();
    const actor = actorOf(req);
    const again = (errors: FieldErrors) => renderWorkflow(res, actor, id, { status: 422, audit: false, formStageId: stageId, errors, values: formValues(req.body) });
    const form = parseForm(stageUpdateForm, req.body);
    if (!form.ok) {
      const { case: kase, facts } = await getCase(db, actor, id, { audit: false });
      if (!kase.stages.some((s) => s.id === stageId)) throw new NotFoundError();
      assertCan(actor, "case.planStages", facts);
      return again(form.errors);
    }
    try {
      const { name } = await updateStage(db, actor, id, stageId, form.data);
      flash(req, "success", `Stage "${name}" saved.`);
    } catch (error) {
      if (error instanceof ValidationError) return again(error.fields);
      if (error instanceof ConflictError) flash(req, "error", error.message);
      else throw error;
    }
    res.redirect(`/cases/${id}/workflow#stage-${stageId}`);
  });

  return router;
}
