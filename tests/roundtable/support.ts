// Shared by the roundtable tests: meetings and entries written through the service, and reading meeting mode's page.
import type { Db } from "../../src/db/client.ts";
import type { CurrentUser } from "../../src/access/roles.ts";
import { entryForm, meetingForm } from "../../src/roundtable/schemas.ts";
import { saveEntry, startMeeting } from "../../src/roundtable/service.ts";
import { actor } from "../cases/support.ts";

export { makeClient, daysAgo, decodeHtml, mainContent } from "../clients/support.ts";
export { actor } from "../cases/support.ts";

export async function meetingBy(db: Db, by: CurrentUser, fields: Record<string, string | string[]> = {}) {
  return startMeeting(db, actor(by), meetingForm.parse({ meetingDate: new Date().toISOString().slice(0, 10), attendeeIds: [by.id], ...fields }));
}

/** An entry saved through the service, as the form would send it. */
export async function entryBy(db: Db, by: CurrentUser, meetingId: string, clientId: string, fields: Record<string, string | string[]> = {}, final = true) {
  const { actionErrors: _ignored, ...input } = entryForm.parse({ nextSteps: "Call the CFO", ...fields });
  return saveEntry(db, actor(by), meetingId, clientId, input, { final });
}

/** The client ids of meeting mode's cards, in order. */
export function clientCards(html: string): string[] {
  return [...html.matchAll(/data-client-row="([0-9a-f-]{36})"/g)].map((m) => m[1]!);
}

/** A day `n` days from today, YYYY-MM-DD. */
export function dayFromToday(n: number): string {
  return new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
}

/** The text a PDF shows (pdfkit writes uncompressed TJ arrays of hex strings, split where it kerns). */
export function pdfText(pdf: Buffer): string {
  return [...pdf.toString("latin1").matchAll(/\[([^\]]*)\] TJ/g)]
    .map((m) => [...m[1]!.matchAll(/<([0-9a-f]*)>/g)].map((h) => Buffer.from(h[1]!, "hex").toString("latin1")).join(""))
    .join("\n");
}

