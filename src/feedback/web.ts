// What the feedback pages share: the range as a form shows it, CSV downloads (audited) and the views' helpers.
import type { Response } from "express";
import type { Db } from "../db/client.ts";
import type { Actor, CurrentUser } from "../access/roles.ts";
import { feedbackActions } from "../access/feedback.ts";
import { clientFeedbackSummaryRead } from "./queries.ts";
import { mappedRead } from "../db/sql.ts";
import { eventFacts, recordAudit } from "../audit/service.ts";
import { csvText } from "../clients/transfer.ts";
import { periodCode, periodLabel } from "./periods.ts";
import { RATING_LABELS, RATINGS, SCORE_LABELS, type DateRange } from "./schemas.ts";
import { day, type Table } from "./tables.ts";
import { formatAverage } from "./trends.ts";

/** The range as the filter form shows it again. */
export function rangeValues(range: DateRange): Record<string, string> {
  return { from: range.from ? day(range.from) : "", to: range.to ? day(range.to) : "" };
}

/** Sends a table as a CSV download (with a byte order mark, so spreadsheets read UTF-8). */
export function sendCsv(res: Response, name: string, table: Table): void {
  res.set({ "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="${name}-${day(new Date())}.csv"`, "Cache-Control": "no-store" });
  res.send(`\uFEFF${csvText([table.columns, ...table.rows])}`);
}

/** Exports are audited: who took which table, over which range, how many rows. */
export async function recordFeedbackExport(db: Db, actor: Actor, table: string, range: DateRange, rows: number, clientId?: string): Promise<void> {
  await recordAudit(db, {
    actorId: actor.id,
    action: "feedback.export",
    entityType: clientId ? "client" : undefined,
    entityId: clientId,
    changes: eventFacts({ table, rows, ...rangeValues(range) }),
    context: actor.context,
  });
}

export const viewHelpers = { RATINGS, RATING_LABELS, SCORE_LABELS, periodLabel, periodCode, formatAverage };


/** What the client hub's feedback section shows: how many, the latest, whether the reader may record one. */
export function clientFeedbackSectionRead(actor: CurrentUser, clientId: string, onTeam: boolean) {
  return mappedRead(clientFeedbackSummaryRead(actor, clientId), (summary) => ({
    ...summary,
    latestLabel: summary.latest ? periodLabel({ kind: summary.latest.periodKind, start: summary.latest.periodStart }) : null,
    canRecord: feedbackActions.record(actor, onTeam),
  }));
}
