// Feedback pages within a client (mounted at /clients/:clientId/feedback): history with averages and trend charts over
// a chosen range, record, edit until finalized, finalize, CSV exports and a printable performance report.
import { Router, type Request, type Response } from "express";
import type { Db } from "../db/client.ts";
import { feedbackActions } from "../access/feedback.ts";
import { recordAudit } from "../audit/service.ts";
import { actorOf } from "../web/context.ts";
import { errorsOf, formValues, parseForm } from "../web/forms.ts";
import { flash } from "../web/flash.ts";
import { ConflictError, ForbiddenError, NotFoundError } from "../errors.ts";
import { feedbackForm, rangeFilter, RATINGS } from "./schemas.ts";
import { parsePeriodCode, periodCode, periodLabel, recentPeriods } from "./periods.ts";
import { caseSatisfactionByQuarter, clientFeedbackAverages, clientFeedbackHistory, feedbackById, feedbackClient, feedbackForPeriod, type FeedbackClient, type FeedbackRow } from "./queries.ts";
import { DuplicateFeedbackError, FinalizedFeedbackError, finalizeFeedback, recordFeedback, updateFeedback } from "./service.ts";
import { averagesTable, historyTable, trendTable, type Table } from "./tables.ts";
import { trendCharts } from "./trends.ts";
import { performanceReportPdf } from "./pdf.ts";
import { rangeValues, recordFeedbackExport, sendCsv, viewHelpers } from "./web.ts";

export function clientFeedbackRoutes(db: Db) {
  const router = Router({ mergeParams: true });
  const clientIdOf = (req: Request) => String(req.params.clientId);
  const base = (clientId: string) => `/clients/${clientId}/feedback`;

  /** The client, or 404; reading a restricted client's feedback is audited, like its page. */
  const visibleClient = async (req: Request, options: { audit: boolean }): Promise<FeedbackClient> => {
    const actor = actorOf(req);
    const client = await feedbackClient(db, actor, clientIdOf(req));
    if (!client) throw new NotFoundError();
    if (client.isConfidential && options.audit) {
      await recordAudit(db, { actorId: actor.id, action: "feedback.read_restricted", entityType: "client", entityId: client.id, context: actor.context });
    }
    return client;
  };

  const visibleFeedback = async (req: Request, client: FeedbackClient): Promise<FeedbackRow> => {
    const row = await feedbackById(db, actorOf(req), client.id, String(req.params.feedbackId));
    if (!row) throw new NotFoundError();
    return row;
  };

  /** Everything the history page and the printable report show. */
  const overview = async (req: Request, client: FeedbackClient) => {
    const actor = actorOf(req);
    const range = rangeFilter.parse(req.query);
    const [history, averages, cases] = await Promise.all([
      clientFeedbackHistory(db, actor, client.id, range),
      clientFeedbackAverages(db, actor, client.id, range),
      caseSatisfactionByQuarter(db, actor, client.id, range),
    ]);
    return { range, history, averages, cases, charts: trendCharts(history, cases) };
  };

  const formPage = (res: Response, status: number, locals: { client: FeedbackClient; feedback?: FeedbackRow; values: Record<string, unknown>; errors?: Record<string, string>; existingId?: string; conflict?: string }) =>
    res.status(status).render("feedback/form", {
      title: locals.feedback ? `Edit feedback for ${periodLabel({ kind: locals.feedback.periodKind, start: locals.feedback.periodStart })}` : `Record feedback for ${locals.client.name}`,
      isNew: !locals.feedback,
      periods: recentPeriods(),
      errors: {},
      ...viewHelpers,
      ...locals,
    });

  router.get("/", async (req, res) => {
    const actor = actorOf(req);
    const client = await visibleClient(req, { audit: true });
    const data = await overview(req, client);
    res.render("feedback/index", {
      title: `Feedback: ${client.name}`,
      client,
      ...data,
      values: rangeValues(data.range),
      query: req.query,
      canRecord: feedbackActions.record(actor, client.onTeam),
      canFinalize: feedbackActions.finalize(actor),
      ...viewHelpers,
    });
  });

  router.get("/report", async (req, res) => {
    const client = await visibleClient(req, { audit: true });
    const data = await overview(req, client);
    res.render("feedback/report", { title: `Performance report: ${client.name}`, client, ...data, values: rangeValues(data.range), generatedAt: new Date(), ...viewHelpers });
  });

  router.get("/report.pdf", async (req, res) => {
    const client = await visibleClient(req, { audit: true });
    const data = await overview(req, client);
    const pdf = await performanceReportPdf({ client, range: data.range, averages: data.averages, history: data.history, cases: data.cases, generatedAt: new Date() });
    await recordFeedbackExport(db, actorOf(req), "client-report-pdf", data.range, data.history.length, client.id);
    res.set({ "Content-Type": "application/pdf", "Content-Disposition": `attachment; filename="${client.clientCode}-performance-report.pdf"`, "Cache-Control": "no-store" });
    res.send(pdf);
  });

  const exports: Record<string, (data: Awaited<ReturnType<typeof overview>>) => Table> = {
    "history.csv": (d) => historyTable(d.history),
    "averages.csv": (d) => averagesTable(d.averages),
    "trend.csv": (d) => trendTable(d.charts.flatMap((c) => c.rows)),
  };
  router.get("/export/:file", async (req, res) => {
    const file = String(req.params.file);
    const build = Object.hasOwn(exports, file) ? exports[file] : undefined;
    if (!build) throw new NotFoundError();
    const client = await visibleClient(req, { audit: false });
    const data = await overview(req, client);
    const table = build(data);
    await recordFeedbackExport(db, actorOf(req), `client-${file.replace(".csv", "")}`, data.range, table.rows.length, client.id);
    sendCsv(res, `${client.clientCode}-feedback-${file.replace(".csv", "")}`, table);
  });

  const assertMayRecord = (req: Request, client: FeedbackClient) => {
    if (!feedbackActions.record(actorOf(req), client.onTeam)) throw new ForbiddenError("Feedback is recorded by the client's team, managers and administrators.");
  };

  /** Refused before the form is read: a finalized feedback, or a reader who may not record, gets no form back. */
  const assertMayEdit = (req: Request, client: FeedbackClient, feedback: FeedbackRow) => {
    assertMayRecord(req, client);
    if (feedback.finalizedAt) throw new FinalizedFeedbackError(periodLabel({ kind: feedback.periodKind, start: feedback.periodStart }));
  };

  /** A form with other mistakes still says at once when its period is already taken, with the link. */
  const withDuplicate = async (req: Request, client: FeedbackClient, errors: Record<string, string>, except?: string) => {
    const period = typeof req.body?.period === "string" ? parsePeriodCode(req.body.period.trim()) : undefined;
    const existing = period && !errors.period ? await feedbackForPeriod(db, actorOf(req), client.id, period.kind, period.start) : undefined;
    if (!period || !existing || existing.id === except) return { errors };
    const duplicate = new DuplicateFeedbackError(period, existing.id);
    return { errors: { ...errors, ...duplicate.fields }, existingId: existing.id };
  };

  router.get("/new", async (req, res) => {
    const client = await visibleClient(req, { audit: false });
    assertMayRecord(req, client);
    formPage(res, 200, { client, values: { period: typeof req.query.period === "string" ? req.query.period : "" } });
  });

  router.post("/", async (req, res) => {
    const actor = actorOf(req);
    const client = await visibleClient(req, { audit: false });
    assertMayRecord(req, client);
    const values = formValues(req.body);
    const form = parseForm(feedbackForm, req.body);
    if (!form.ok) return formPage(res, 422, { client, values, ...(await withDuplicate(req, client, form.errors)) });
    try {
      const created = await recordFeedback(db, actor, client.id, form.data);
      flash(req, "success", `Feedback for ${created.label} recorded.`);
      res.redirect(`${base(client.id)}/${created.id}`);
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return formPage(res, 422, { client, values, errors, existingId: error instanceof DuplicateFeedbackError ? error.existingId : undefined });
      throw error;
    }
  });

  router.get("/:feedbackId", async (req, res) => {
    const actor = actorOf(req);
    const client = await visibleClient(req, { audit: true });
    const feedback = await visibleFeedback(req, client);
    res.render("feedback/show", {
      title: `Feedback for ${periodLabel({ kind: feedback.periodKind, start: feedback.periodStart })}`,
      client,
      feedback,
      canEdit: !feedback.finalizedAt && feedbackActions.record(actor, client.onTeam),
      canFinalize: !feedback.finalizedAt && feedbackActions.finalize(actor),
      ...viewHelpers,
    });
  });

  router.get("/:feedbackId/edit", async (req, res) => {
    const client = await visibleClient(req, { audit: true });
    const feedback = await visibleFeedback(req, client);
    assertMayEdit(req, client, feedback);
    formPage(res, 200, { client, feedback, values: editValues(feedback) });
  });

  router.post("/:feedbackId", async (req, res) => {
    const actor = actorOf(req);
    const client = await visibleClient(req, { audit: false });
    const feedback = await visibleFeedback(req, client);
    assertMayEdit(req, client, feedback);
    const values = formValues(req.body);
    const form = parseForm(feedbackForm, req.body);
    if (!form.ok) return formPage(res, 422, { client, feedback, values, ...(await withDuplicate(req, client, form.errors, feedback.id)) });
    try {
      const saved = await updateFeedback(db, actor, client.id, feedback.id, form.data);
      flash(req, "success", `Feedback for ${saved.label} saved.`);
      res.redirect(`${base(client.id)}/${feedback.id}`);
    } catch (error) {
      const errors = errorsOf(error);
      if (errors) return formPage(res, 422, { client, feedback, values, errors, existingId: error instanceof DuplicateFeedbackError ? error.existingId : undefined });
      if (error instanceof ConflictError) {
        const latest = await feedbackById(db, actor, client.id, feedback.id);
        if (!latest || latest.finalizedAt) throw error;
        return formPage(res, 409, { client, feedback: latest, values: { ...values, updatedAt: latest.updatedAt.toISOString() }, conflict: error.message });
      }
      throw error;
    }
  });

  router.post("/:feedbackId/finalize", async (req, res) => {
    const clientId = clientIdOf(req);
    const result = await finalizeFeedback(db, actorOf(req), clientId, String(req.params.feedbackId));
    flash(req, result.changed ? "success" : "info", result.changed ? `Feedback for ${result.label} finalized: it can no longer change.` : `Feedback for ${result.label} was already finalized.`);
    res.redirect(`${base(clientId)}/${String(req.params.feedbackId)}`);
  });

  return router;
}

function editValues(f: FeedbackRow): Record<string, string> {
  const values: Record<string, string> = { period: periodCode({ kind: f.periodKind, start: f.periodStart }), writtenFeedback: f.writtenFeedback ?? "", updatedAt: f.updatedAt.toISOString() };
  for (const r of RATINGS) values[r] = String(f[r]);
  return values;
}
