// A client's trend: one chart per rating over its feedback periods, case satisfaction beside overall satisfaction,
// and the table behind each chart (what a screen reader reads, and what the trend CSV holds).
import { ratingChartSvg, type ChartSeries } from "./charts.ts";
import { periodLabel } from "./periods.ts";
import type { CaseSatisfactionPoint, FeedbackRow } from "./queries.ts";
import { RATING_LABELS, RATINGS, type Rating } from "./schemas.ts";

export const CASE_SATISFACTION = "Case satisfaction";

export interface TrendRow {
  series: string;
  period: string;
  value: number;
  /** For case satisfaction: how many resolved cases the average is over. */
  cases?: number;
}

export interface TrendChart {
  rating: Rating;
  title: string;
  svg: string;
  rows: TrendRow[];
}

/** Average rounded for people: two decimals, "—" for none. */
export function formatAverage(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : value.toFixed(2);
}

export function trendCharts(history: FeedbackRow[], cases: CaseSatisfactionPoint[]): TrendChart[] {
  if (!history.length && !cases.length) return [];
  return RATINGS.map((rating) => {
    const series: ChartSeries[] = [];
    if (history.length) {
      series.push({
        name: RATING_LABELS[rating],
        className: "series-0",
        points: history.map((f) => {
          const label = periodLabel({ kind: f.periodKind, start: f.periodStart });
          return { at: f.periodStart, value: f[rating], label: `${label}: ${f[rating]}` };
        }),
      });
    }
    if (rating === "overallSatisfaction" && cases.length) {
      series.push({
        name: CASE_SATISFACTION,
        className: "series-1",
        points: cases.map((c) => {
          const label = periodLabel({ kind: "quarter", start: c.quarterStart });
          return { at: c.quarterStart, value: c.average, label: `${label}: ${formatAverage(c.average)} over ${c.cases} case${c.cases === 1 ? "" : "s"}` };
        }),
      });
    }
    const rows: TrendRow[] = [];
    for (const s of series) {
      for (const p of [...s.points].sort((a, b) => a.at.getTime() - b.at.getTime())) {
        const period = p.label.split(":")[0]!;
        const found = s.name === CASE_SATISFACTION ? cases.find((c) => c.quarterStart.getTime() === p.at.getTime()) : undefined;
        rows.push(found ? { series: s.name, period, value: p.value, cases: found.cases } : { series: s.name, period, value: p.value });
      }
    }
    const title = `${RATING_LABELS[rating]} over time${rating === "overallSatisfaction" && cases.length ? ", with case satisfaction" : ""}`;
    return { rating, title, svg: series.length ? ratingChartSvg(`trend-${rating}`, title, series) : "", rows };
  }).filter((chart) => chart.rows.length);
}
