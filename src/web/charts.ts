// Charts as server-rendered SVG (no JavaScript, no DOM-needing library): a line chart over time and a horizontal bar
// chart. Each is an <svg role="img"> with a title; every page that draws one also shows its numbers as a table
// (screen readers, and anyone who wants the figures). Feedback's rating trends and the dashboards draw with these.
export interface ChartPoint {
  at: Date;
  value: number;
  /** What a point's tooltip and the table say about it ("Q1 2026: 4"); the part before ":" labels the axis. */
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

export const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fixed = (n: number) => n.toFixed(1);

/** Up to about five round steps from 0 to at least `max` (0, 5, 10, ...), for a count axis. */
export function countTicks(max: number): number[] {
  if (max <= 0) return [0, 1];
  const raw = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let v = 0; v < max + step; v += step) ticks.push(Math.round(v));
  return ticks;
}

/** A line chart: `ticks` are the value axis's labelled lines, from lowest to highest (they set its range). */
export function lineChartSvg(id: string, title: string, series: ChartSeries[], ticks: number[]): string {
  const times = series.flatMap((s) => s.points.map((p) => p.at.getTime()));
  const min = Math.min(...times);
  const max = Math.max(...times);
  const low = ticks[0]!;
  const high = ticks.at(-1)!;
  const plotW = WIDTH - PAD.left - PAD.right - 2 * INSET;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (t: number) => PAD.left + INSET + (max === min ? plotW / 2 : ((t - min) / (max - min)) * plotW);
  const y = (v: number) => PAD.top + ((high - v) / (high - low || 1)) * plotH;
  const parts: string[] = [];
  parts.push(`<svg class="chart" id="${escapeXml(id)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="${escapeXml(id)}-title" xmlns="http://www.w3.org/2000/svg">`);
  parts.push(`<title id="${escapeXml(id)}-title">${escapeXml(title)}</title>`);
  for (const v of ticks) {
    parts.push(`<line class="grid" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${fixed(y(v))}" y2="${fixed(y(v))}"/>`);
    parts.push(`<text class="axis" x="${PAD.left - 8}" y="${fixed(y(v) + 4)}" text-anchor="end">${v}</text>`);
  }
  // Label at most six moments along the bottom, evenly picked from those that have points.
  const moments = [...new Set(times)].sort((a, b) => a - b);
  const step = Math.max(1, Math.ceil(moments.length / 6));
  const tickLabel = new Map(series.flatMap((s) => s.points.map((p) => [p.at.getTime(), p.label.split(":")[0]!] as const)));
  moments.forEach((t, i) => {
    if (i % step !== 0 && i !== moments.length - 1) return;
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

export interface Bar {
  label: string;
  value: number;
}

/** Horizontal bars, one per label, longest for the largest value; each bar's number is written beside it. */
export function barChartSvg(id: string, title: string, bars: Bar[]): string {
  const rowH = 26;
  const labelW = 130;
  const numberW = 56;
  const height = PAD.top + bars.length * rowH + 8;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const plotW = WIDTH - labelW - numberW - PAD.right;
  const parts: string[] = [];
  parts.push(`<svg class="chart bar-chart" id="${escapeXml(id)}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="${escapeXml(id)}-title" xmlns="http://www.w3.org/2000/svg">`);
  parts.push(`<title id="${escapeXml(id)}-title">${escapeXml(title)}</title>`);
  bars.forEach((b, i) => {
    const top = PAD.top + i * rowH;
    const w = (b.value / max) * plotW;
    parts.push(`<text class="axis bar-label" x="${labelW - 8}" y="${fixed(top + 15)}" text-anchor="end">${escapeXml(b.label)}</text>`);
    parts.push(`<rect class="bar" data-bar x="${labelW}" y="${top + 3}" width="${fixed(Math.max(w, b.value ? 2 : 0))}" height="${rowH - 8}"><title>${escapeXml(`${b.label}: ${b.value}`)}</title></rect>`);
    parts.push(`<text class="axis bar-value" x="${fixed(labelW + w + 6)}" y="${fixed(top + 15)}">${b.value}</text>`);
  });
  parts.push("</svg>");
  return parts.join("");
}
