// Roundtable pages, for the relationship team only (everyone else gets 404 on every one): the meetings list and the
// start form, meeting mode with an entry form per client (autosaved by public/js/roundtable.js as JSON; a plain form
// post without it), one client's entry page, the minutes with CSV and PDF exports, ending a meeting, completing an
// action item, and a client's roundtable history.
import { Router, type NextFunction, type Request, type Response } from "express";
import type { Db } from "../db/client.ts";
import type { CurrentUser } from "../access/roles.ts";
import { seesRoundtable } from "../access/roundtable.ts";
import { LABELS as CLIENT_LABELS, PRIORITIES } from "../clients/schemas.ts";
import { actorOf } from "../web/context.ts";
import { errorsOf, formValues, parseForm, type FieldErrors } from "../web/forms.ts";
import { flash } from "../web/flash.ts";
import { pageInfo, pageRequest, withQuery } from "../web/pagination.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import { ATTENTION_LABELS, entryForm, meetingFilters, meetingForm, todayIso, type EntryInput } from "./schemas.ts";
import {
  clientEntries,
  meetingClients,
  meetingEntries,
  meetingEntryFor,
  meetingList,
  meetingRow,
  pointOfContactOptionsRead,
  relationshipTeamUsers,
  relationshipTeamUsersRead,
  visibleClient,
  type EntryRow,
} from "./selectors.ts";
import { sqlReads } from "../db/sql.ts";
import { completeActionItem, endMeeting, saveEntry, startMeeting } from "./service.ts";
import { minutesCsv, minutesPdf } from "./exports.ts";

const shared = { labels: CLIENT_LABELS, attentionLabels: ATTENTION_LABELS, priorities: PRIORITIES };

/** Every roundtable route: 404 unless the user is on the relationship team, whatever their role. */
function teamOnly(req: Request, _res: Response, next: NextFunction) {
  if (req.user && seesRoundtable(req.user as CurrentUser)) return next();
  next(new NotFoundError());
}

/** The form's values for an entry as saved (its open action items as rows), or empty. */
export function entryValues(entry: EntryRow | null): Record<string, string | string[]> {
  if (!entry) return {};
  const open = entry.actionItems.filter((a) => !a.completedAt);
  return {
    nearTermFocus: entry.nearTermFocus ?? "",
    workTargets: entry.workTargets ?? "",
    discussion: entry.discussion ?? "",
    nextSteps: entry.nextSteps ?? "",
    actionDescription: open.map((a) => a.description),
    actionAssignee: open.map((a) => a.assigneeId),
    actionDue: open.map((a) => a.dueDate.toISOString().slice(0, 10)),
  };
}

/** A same-site path to return to, or the fallback. */
function backTo(value: unknown, fallback: string): string {
  return typeof value === "string" && /^\/roundtable\/[0-9a-f-]{36}[a-z0-9/#?=&_%.-]*$/i.test(value) ? value : fallback;
}

export function roundtableRoutes(db: Db) {
  const router = Router();
  router.use(teamOnly);

  const getMeeting = async (user: CurrentUser, id: string) => {
    const meeting = await meetingRow(db, user, id);
    if (!meeting) throw new NotFoundError();
    return meeting;
  };

  // --- meetings ----------------------------------------------------------------------------------------------------

  const renderIndex = async (req: Request, res: Response, status: number, values: Record<string, unknown>, errors: FieldErrors) => {
    const actor = actorOf(req);
    const request = pageRequest(req.query as Record<string, unknown>, { perPage: 20, maxPerPage: 100 });
    const [list, team] = await Promise.all([meetingList(db, actor, request), relationshipTeamUsers(db)]);
    res.status(status).render("roundtable/index", { title: "Roundtable meetings", meetings: list.rows, page: pageInfo(request, list.total), team, values, errors, query: req.query, withQuery, ...shared });
  };

  router.get("/", async (req, res) => {
    await renderIndex(req, res, 200, { meetingDate: todayIso(), attendeeIds: [req.user!.id] }, {});
  });

  router.post("/", async (req, res) => {
    const values = formValues(req.body);
    const form = parseForm(meetingForm, req.body);
    if (!form.ok) return renderIndex(req, res, 422, values, form.errors);
    try {
      const { id } = await startMeeting(db, actorOf(req), form.data);
      flash(req, "success", "Meeting started: add an entry for each client you discuss; they save as you type.");
      res.redirect(`/roundtable/${id}`);
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return renderIndex(req, res, 422, values, errors);
      throw error;
    }
  });

  // --- meeting mode --------------------------------------------------------------------------------------------------

  router.get("/:id", async (req, res) => {
    const actor = actorOf(req);
    const meeting = await getMeeting(actor, String(req.params.id));
    if (meeting.endedAt) return res.redirect(`/roundtable/${meeting.id}/minutes`);
    const filters = meetingFilters.parse(req.query);
    // The page beside one statement for the filter's and the action items' people.
    const [page, [pocs, team]] = await Promise.all([meetingClients(db, actor, meeting.id, filters), sqlReads(db, [pointOfContactOptionsRead(), relationshipTeamUsersRead()])]);
    const filtered = Boolean(filters.poc || filters.priority || filters.attention);
    res.render("roundtable/meeting", {
      title: `Roundtable of ${meeting.meetingDate.toISOString().slice(0, 10)}`,
      meeting,
      page,
      pocs,
      team,
      filters,
      filtered,
      query: req.query,
      withQuery,
      entryValues,
      ...shared,
    });
  });

  const renderEntryPage = async (req: Request, res: Response, status: number, meetingId: string, clientId: string, values: Record<string, unknown> | null, errors: FieldErrors) => {
    const actor = actorOf(req);
    const meeting = await getMeeting(actor, meetingId);
    const client = await visibleClient(db, actor, clientId);
    if (!client) throw new NotFoundError();
    const [current, previous, team] = await Promise.all([
      meetingEntryFor(db, actor, meeting.id, client.id),
      clientEntries(db, actor, client.id, { skip: 0, perPage: 4 }),
      relationshipTeamUsers(db),
    ]);
    res.status(status).render("roundtable/entry", {
      title: `${client.name} · roundtable`,
      meeting,
      client,
      current,
      previous: previous.rows.filter((e) => e.meetingId !== meeting.id).slice(0, 3),
      team,
      values: values ?? entryValues(current),
      errors,
      back: backTo(req.body?.back ?? req.query.back, `/roundtable/${meeting.id}#client-${client.id}`),
      ...shared,
    });
  };

  router.get("/:id/clients/:clientId", async (req, res) => {
    await renderEntryPage(req, res, 200, String(req.params.id), String(req.params.clientId), null, {});
  });

  router.post("/:id/entries/:clientId", async (req, res) => {
    const actor = actorOf(req);
    const meetingId = String(req.params.id);
    const clientId = String(req.params.clientId);
    const json = req.is("application/json") === "application/json";
    const final = json ? req.body?.final === true || req.body?.final === "1" : true;
    const form = parseForm(entryForm, req.body);
    if (!form.ok) {
      if (json) {
        // Unknown or hidden meetings and clients answer 404 before any message about the fields.
        await getMeeting(actor, meetingId);
        if (!(await visibleClient(db, actor, clientId))) throw new NotFoundError();
        return res.status(422).json({ saved: false, errors: form.errors });
      }
      return renderEntryPage(req, res, 422, meetingId, clientId, formValues(req.body), form.errors);
    }
    const { actionErrors, ...input } = form.data as EntryInput;
    // A form post with a half-typed action item saves nothing and says what is missing; an autosave keeps the rest.
    if (!json && Object.keys(actionErrors).length) return renderEntryPage(req, res, 422, meetingId, clientId, formValues(req.body), actionErrors);
    try {
      const result = await saveEntry(db, actor, meetingId, clientId, input, { final });
      if (json) return res.status(200).json({ saved: true, entryId: result.entryId, changed: result.changed, final, savedAt: new Date().toISOString(), errors: actionErrors });
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) {
        if (json) return res.status(422).json({ saved: false, errors });
        return renderEntryPage(req, res, 422, meetingId, clientId, formValues(req.body), errors);
      }
      if (error instanceof ConflictError) {
        if (json) return res.status(409).json({ saved: false, error: error.message });
        flash(req, "error", error.message);
        return res.redirect(`/roundtable/${meetingId}/minutes`);
      }
      throw error;
    }
    flash(req, "success", "Entry saved.");
    res.redirect(backTo(req.body?.back, `/roundtable/${meetingId}#client-${clientId}`));
  });

  // --- minutes, exports, end -----------------------------------------------------------------------------------------

  router.get("/:id/minutes", async (req, res) => {
    const actor = actorOf(req);
    const meeting = await getMeeting(actor, String(req.params.id));
    const entries = await meetingEntries(db, actor, meeting.id);
    res.render("roundtable/minutes", { title: `Minutes of the roundtable of ${meeting.meetingDate.toISOString().slice(0, 10)}`, meeting, entries, ...shared });
  });

  router.get("/:id/minutes.csv", async (req, res) => {
    const actor = actorOf(req);
    const meeting = await getMeeting(actor, String(req.params.id));
    const entries = await meetingEntries(db, actor, meeting.id);
    res.set({ "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="roundtable-${meeting.meetingDate.toISOString().slice(0, 10)}.csv"` });
    res.send(minutesCsv(meeting, entries));
  });

  router.get("/:id/minutes.pdf", async (req, res) => {
    const actor = actorOf(req);
    const meeting = await getMeeting(actor, String(req.params.id));
    const entries = await meetingEntries(db, actor, meeting.id);
    const pdf = await minutesPdf(meeting, entries);
    res.set({ "Content-Type": "application/pdf", "Content-Disposition": `attachment; filename="roundtable-${meeting.meetingDate.toISOString().slice(0, 10)}.pdf"` });
    res.send(pdf);
  });

  router.post("/:id/end", async (req, res) => {
    const id = String(req.params.id);
    const result = await endMeeting(db, actorOf(req), id);
    flash(req, result.changed ? "success" : "info", result.changed ? `Meeting ended with ${result.entries} entr${result.entries === 1 ? "y" : "ies"}.` : "This meeting had already ended.");
    res.redirect(`/roundtable/${id}/minutes`);
  });

  // --- action items --------------------------------------------------------------------------------------------------

  router.post("/action-items/:id/complete", async (req, res) => {
    const result = await completeActionItem(db, actorOf(req), String(req.params.id));
    flash(req, result.changed ? "success" : "info", result.changed ? `Action item “${result.description}” completed.` : `“${result.description}” was already completed.`);
    const back = typeof req.body?.back === "string" && /^\/[a-z0-9/#?=&_-]*$/i.test(req.body.back) && !req.body.back.startsWith("//") ? req.body.back : "/communications/follow-ups";
    res.redirect(back);
  });

  return router;
}

/** A client's roundtable history (/clients/:clientId/roundtable), every entry, newest first, paged. */
export function clientRoundtableRoutes(db: Db) {
  const router = Router();
  router.get("/clients/:clientId/roundtable", teamOnly, async (req, res) => {
    const actor = actorOf(req);
    const client = await visibleClient(db, actor, String(req.params.clientId));
    if (!client) throw new NotFoundError();
    const request = pageRequest(req.query as Record<string, unknown>, { perPage: 20, maxPerPage: 100 });
    const list = await clientEntries(db, actor, client.id, request);
    res.render("roundtable/history", { title: `Roundtable history of ${client.name}`, client, entries: list.rows, page: pageInfo(request, list.total), query: req.query, withQuery, ...shared });
  });
  return router;
}
