// The per-client performance report as a PDF (pdfkit, standard fonts): what the printable page shows, the averages
// over the chosen range, each period's ratings with its written feedback, and case satisfaction per quarter. The
// trend charts stay on the page (SVG); here each trend is the table of its points.
import PDFDocument from "pdfkit";
import type { CaseSatisfactionPoint, FeedbackClient, FeedbackRow, RatingAverages } from "./queries.ts";
import { periodLabel } from "./periods.ts";
import { RATING_LABELS, RATINGS, type DateRange } from "./schemas.ts";
import { formatAverage } from "./trends.ts";

export interface PerformanceReport {
  client: FeedbackClient;
  range: DateRange;
  averages: RatingAverages;
  history: FeedbackRow[];
  cases: CaseSatisfactionPoint[];
  generatedAt: Date;
}

const day = (d: Date) => d.toISOString().slice(0, 10);
const MARGIN = 50;

/** The report as PDF bytes. `compress: false` leaves the page streams readable (tests). */
export function performanceReportPdf(report: PerformanceReport, options: { compress?: boolean } = {}): Promise<Buffer> {
  const doc = new PDFDocument({
    size: "A4",
    margin: MARGIN,
    compress: options.compress ?? true,
    info: { Title: `Performance report: ${report.client.name}`, Author: "Clientdesk", CreationDate: report.generatedAt },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  const width = doc.page.width - 2 * MARGIN;
  const { client, range, averages, history, cases } = report;

  doc.font("Helvetica-Bold").fontSize(18).text(`Performance report: ${client.name}`);
  doc.moveDown(0.3).font("Helvetica").fontSize(10).fillColor("#444444");
  doc.text(`${client.clientCode} · Account manager: ${client.accountManagerName ?? "nobody"}`);
  doc.text(`Periods: ${range.from ? day(range.from) : "all"} to ${range.to ? day(range.to) : "now"} · Prepared ${report.generatedAt.toISOString().slice(0, 16).replace("T", " ")} UTC`);
  doc.fillColor("#000000").moveDown();

  const heading = (text: string) => {
    if (doc.y > doc.page.height - MARGIN - 80) doc.addPage();
    doc.moveDown(0.5).font("Helvetica-Bold").fontSize(13).text(text, MARGIN, doc.y).moveDown(0.3).font("Helvetica").fontSize(10);
  };
  /** A table with a bold header row; columns share the width by `weights`; pages break between rows. */
  const table = (header: string[], rows: string[][], weights: number[]) => {
    const total = weights.reduce((a, b) => a + b, 0);
    const xs = weights.reduce<number[]>((acc, w, i) => [...acc, (acc[i] ?? MARGIN) + (w / total) * width], [MARGIN]);
    const row = (cells: string[], bold: boolean) => {
      doc.font(bold ? "Helvetica-Bold" : "Helvetica").fontSize(9);
      const height = Math.max(...cells.map((c, i) => doc.heightOfString(c, { width: xs[i + 1]! - xs[i]! - 4 }))) + 4;
      if (doc.y + height > doc.page.height - MARGIN) doc.addPage();
      const y = doc.y;
      cells.forEach((c, i) => doc.text(c, xs[i]!, y + 2, { width: xs[i + 1]! - xs[i]! - 4 }));
      doc.moveTo(MARGIN, y + height).lineTo(MARGIN + width, y + height).strokeColor("#cccccc").lineWidth(0.5).stroke();
      doc.x = MARGIN;
      doc.y = y + height;
    };
    row(header, true);
    for (const r of rows) row(r, false);
    doc.moveDown(0.5);
  };

  heading("Averages");
  table(
    ["Rating", "Average"],
    [...RATINGS.map((r) => [RATING_LABELS[r], formatAverage(averages[r])]), ["Feedback", String(averages.count)], ["Finalized", String(averages.finalized)]],
    [3, 1],
  );

  heading("Feedback by period");
  if (history.length) {
    table(
      ["Period", ...RATINGS.map((r) => RATING_LABELS[r]), "Status"],
      history.map((f) => [periodLabel({ kind: f.periodKind, start: f.periodStart }), ...RATINGS.map((r) => String(f[r])), f.finalizedAt ? `Finalized ${day(f.finalizedAt)}` : "Draft"]),
      [1.3, 1, 1, 1, 1, 1, 1.4],
    );
    const written = history.filter((f) => f.writtenFeedback);
    if (written.length) {
      heading("Written feedback");
      for (const f of written) {
        if (doc.y > doc.page.height - MARGIN - 40) doc.addPage();
        doc.font("Helvetica-Bold").fontSize(10).text(periodLabel({ kind: f.periodKind, start: f.periodStart }), MARGIN, doc.y);
        doc.font("Helvetica").fontSize(10).text(f.writtenFeedback!, { width }).moveDown(0.5);
      }
    }
  } else {
    doc.text("No feedback in these periods.");
  }

  if (cases.length) {
    heading("Case satisfaction (resolved cases, per quarter)");
    table(
      ["Quarter", "Average", "Cases"],
      cases.map((c) => [periodLabel({ kind: "quarter", start: c.quarterStart }), formatAverage(c.average), String(c.cases)]),
      [2, 1, 1],
    );
  }

  doc.end();
  return done;
}
