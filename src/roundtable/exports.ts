// A meeting's minutes as CSV (csv-stringify, one row per entry, formulas neutralised) and as PDF (pdfkit, written on
// the server). Both take what the selectors read for the reader, so they hold nothing the minutes page does not show.
import PDFDocument from "pdfkit";
import { stringify } from "csv-stringify/sync";
import type { EntryRow, MeetingRow } from "./selectors.ts";

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : "");

const actionLines = (entry: EntryRow) =>
  entry.actionItems.map((a) => `${a.description} (${a.assigneeName}, due ${day(a.dueDate)}${a.completedAt ? `, done ${day(a.completedAt)}` : ""})`);

export function minutesCsv(meeting: MeetingRow, entries: EntryRow[]): string {
  const rows = entries.map((e) => [
    day(meeting.meetingDate),
    e.clientName,
    e.nearTermFocus ?? "",
    e.workTargets ?? "",
    e.discussion ?? "",
    e.nextSteps ?? "",
    actionLines(e).join("\n"),
    e.authorName,
  ]);
  return stringify([["Meeting date", "Client", "Near-term focus", "Firm work targets", "Discussion", "Next steps", "Action items", "Recorded by"], ...rows], {
    record_delimiter: "windows",
    escape_formulas: true,
  });
}

/** The minutes as a PDF document (uncompressed: a few pages of text, searchable as they are). */
export function minutesPdf(meeting: MeetingRow, entries: EntryRow[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: "A4", margin: 50, compress: false, info: { Title: `Roundtable minutes ${day(meeting.meetingDate)}` } });
    const chunks: Buffer[] = [];
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
    doc.font("Helvetica-Bold").fontSize(16).text(`Roundtable minutes, ${day(meeting.meetingDate)}`);
    doc.font("Helvetica").fontSize(10).moveDown(0.5);
    doc.text(`Attendees: ${meeting.attendees.map((a) => a.name).join(", ") || "none recorded"}`);
    if (meeting.agenda) doc.text(`Agenda: ${meeting.agenda}`);
    doc.text(meeting.endedAt ? `Ended ${meeting.endedAt.toISOString().slice(0, 16).replace("T", " ")} UTC` : "In progress");
    if (!entries.length) doc.moveDown().text("No entries.");
    for (const e of entries) {
      doc.moveDown().font("Helvetica-Bold").fontSize(12).text(e.clientName);
      doc.font("Helvetica").fontSize(10);
      const parts: [string, string | null][] = [
        ["Near-term focus", e.nearTermFocus],
        ["Firm work targets", e.workTargets],
        ["Discussion", e.discussion],
        ["Next steps", e.nextSteps],
      ];
      for (const [label, text] of parts) if (text) doc.font("Helvetica-Bold").text(`${label}: `, { continued: true }).font("Helvetica").text(text);
      const items = actionLines(e);
      if (items.length) {
        doc.font("Helvetica-Bold").text("Action items:").font("Helvetica");
        doc.list(items, { bulletRadius: 1.5 });
      }
    }
    doc.end();
  });
}
