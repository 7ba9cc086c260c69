// Trend charts of ratings: a line per series over time, ratings 1 to 5 up the side, drawn by the shared SVG charts
// (src/web/charts.ts); every page shows the same data as a table.
import { lineChartSvg, type ChartSeries } from "../web/charts.ts";

export type { ChartPoint, ChartSeries } from "../web/charts.ts";

/** A line chart of 1-5 ratings; `title` names it for screen readers (the page's table holds the numbers). */
export function ratingChartSvg(id: string, title: string, series: ChartSeries[]): string {
  return lineChartSvg(id, title, series, [1, 2, 3, 4, 5]);
}
