// Every feedback table as rows of text: what the pages show, and exactly what their CSV exports hold.
import { periodCode, periodLabel } from "./periods.ts";
import type { ClientWithoutFeedback, FeedbackRow, GroupAverages, RatingAverages, SatisfactionDrop } from "./queries.ts";
import { RATING_LABELS, RATINGS } from "./schemas.ts";
import { formatAverage, type TrendRow } from "./trends.ts";

export interface Table {
  columns: string[];
  rows: string[][];
}

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : "");
const stamp = (d: Date | null) => (d ? d.toISOString() : "");
const RATING_COLUMNS = RATINGS.map((r) => RATING_LABELS[r]);

const averageCells = (a: RatingAverages) => [String(a.count), String(a.finalized), ...RATINGS.map((r) => formatAverage(a[r]))];
const AVERAGE_COLUMNS = ["Feedback", "Finalized", ...RATING_COLUMNS.map((c) => `${c} (average)`)];

export function historyTable(rows: FeedbackRow[]): Table {
  return {
    columns: ["Period", "Kind", ...RATING_COLUMNS, "Written feedback", "Recorded by", "Recorded at", "Finalized by", "Finalized at"],
    rows: rows.map((f) => [
      periodCode({ kind: f.periodKind, start: f.periodStart }),
      f.periodKind,
      ...RATINGS.map((r) => String(f[r])),
      f.writtenFeedback ?? "",
      f.recordedByName,
      stamp(f.recordedAt),
      f.finalizedByName ?? "",
      stamp(f.finalizedAt),
    ]),
  };
}

export function averagesTable(averages: RatingAverages): Table {
  return { columns: AVERAGE_COLUMNS, rows: [averageCells(averages)] };
}

export function trendTable(rows: TrendRow[]): Table {
  return { columns: ["Series", "Period", "Value", "Cases"], rows: rows.map((r) => [r.series, r.period, formatAverage(r.value), r.cases === undefined ? "" : String(r.cases)]) };
}

export function groupTable(heading: string, groups: GroupAverages[]): Table {
  return { columns: [heading, ...AVERAGE_COLUMNS], rows: groups.map((g) => [g.label, ...averageCells(g)]) };
}

export function quarterTable(quarters: (RatingAverages & { quarterStart: Date })[]): Table {
  return { columns: ["Quarter", ...AVERAGE_COLUMNS], rows: quarters.map((q) => [periodCode({ kind: "quarter", start: q.quarterStart }), ...averageCells(q)]) };
}

export function dropsTable(drops: SatisfactionDrop[]): Table {
  return {
    columns: ["Client", "Code", "Account manager", "Previous period", "Previous satisfaction", "Latest period", "Latest satisfaction", "Drop"],
    rows: drops.map((d) => [
      d.clientName,
      d.clientCode,
      d.accountManagerName ?? "",
      periodCode({ kind: d.previousKind, start: d.previousStart }),
      String(d.previous),
      periodCode({ kind: d.latestKind, start: d.latestStart }),
      String(d.latest),
      String(d.drop),
    ]),
  };
}

export function missingTable(clients: ClientWithoutFeedback[]): Table {
  return {
    columns: ["Client", "Code", "Account manager", "Last feedback"],
    rows: clients.map((c) => [c.clientName, c.clientCode, c.accountManagerName ?? "", c.lastPeriodKind && c.lastPeriodStart ? periodCode({ kind: c.lastPeriodKind, start: c.lastPeriodStart }) : ""]),
  };
}

/** A period for people, from a row's kind and first day. */
export function labelOf(kind: FeedbackRow["periodKind"], start: Date): string {
  return periodLabel({ kind, start });
}

export { day };
