// Trend charts as server-rendered SVG: a line per series over time, ratings 1 to 5 up the side. Drawn here in a few
// lines rather than by a chart library, as the maintained ones need a DOM; every page shows the same data as a table.
export interface ChartPoint {
  at: Date;
  value: number;
  /** What a point's tooltip and the table say about it ("Q1 2026: 4"). */
  label: string;
}

export interface ChartSeries {
  name: string;
  /** A CSS class giving the series its colour and marker (app.css: .series-0, .series-1). */
  className: string;
  points: ChartPoint[];
}

const WIDTH = 560;
const HEIGHT = 220;
const PAD = { left: 36, right: 16, top: 14, bottom: 34 };
/** Room at both ends of the time axis, so the first and last points and their labels are not cut off. */
const INSET = 32;

const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fixed = (n: number) => n.toFixed(1);

/** A line chart of 1-5 ratings; `title` names it for screen readers (the page's table holds the numbers). */
export function ratingChartSvg(id: string, title: string, series: ChartSeries[]): string {
  const times = series.flatMap((s) => s.points.map((p) => p.at.getTime()));
  const min = Math.min(...times);
  const max = Math.max(...times);
  const plotW = WIDTH - PAD.left - PAD.right - 2 * INSET;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (t: number) => PAD.left + INSET + (max === min ? plotW / 2 : ((t - min) / (max - min)) * plotW);
  const y = (v: number) => PAD.top + ((5 - v) / 4) * plotH;
  const parts: string[] = [];
  parts.push(`<svg class="chart" id="${escapeXml(id)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="${escapeXml(id)}-title" xmlns="http://www.w3.org/2000/svg">`);
  parts.push(`<title id="${escapeXml(id)}-title">${escapeXml(title)}</title>`);
  for (let v = 1; v <= 5; v++) {
    parts.push(`<line class="grid" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${fixed(y(v))}" y2="${fixed(y(v))}"/>`);
    parts.push(`<text class="axis" x="${PAD.left - 8}" y="${fixed(y(v) + 4)}" text-anchor="end">${v}</text>`);
  }
  // Label at most six moments along the bottom, evenly picked from those that have points.
  const ticks = [...new Set(times)].sort((a, b) => a - b);
  const step = Math.max(1, Math.ceil(ticks.length / 6));
  const tickLabel = new Map(series.flatMap((s) => s.points.map((p) => [p.at.getTime(), p.label.split(":")[0]!] as const)));
  ticks.forEach((t, i) => {
    if (i % step !== 0 && i !== ticks.length - 1) return;
    parts.push(`<text class="axis" x="${fixed(x(t))}" y="${HEIGHT - 12}" text-anchor="middle">${escapeXml(tickLabel.get(t) ?? "")}</text>`);
  });
  for (const s of series) {
    const points = [...s.points].sort((a, b) => a.at.getTime() - b.at.getTime());
    if (points.length > 1) {
      parts.push(`<polyline class="line ${escapeXml(s.className)}" points="${points.map((p) => `${fixed(x(p.at.getTime()))},${fixed(y(p.value))}`).join(" ")}"/>`);
    }
    for (const p of points) {
      parts.push(`<circle class="point ${escapeXml(s.className)}" data-point cx="${fixed(x(p.at.getTime()))}" cy="${fixed(y(p.value))}" r="4"><title>${escapeXml(`${s.name}, ${p.label}`)}</title></circle>`);
    }
  }
  parts.push("</svg>");
  return parts.join("");
}
