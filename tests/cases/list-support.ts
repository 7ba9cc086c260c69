// Shared by the case list and board tests: reading the list's rows and the board's cards, and many cases at once.
import type { Db } from "../../src/db/client.ts";
import type { Prisma } from "../../src/generated/prisma/client.ts";
import { decodeHtml, formFields } from "../clients/support.ts";

/** The case ids of the list's rows, in the order shown. */
export function listedCaseIds(html: string): string[] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  return [...body.matchAll(/<tr data-case-row="([0-9a-f-]{36})">/g)].map((m) => m[1]!);
}

/** The count on a status tab of the list ("In progress 3", "New 1,000+"), as shown. */
export function statusTab(html: string, status: string): string {
  const m = new RegExp(`data-status-tab="${status}">[^<]*<span class="count">([^<]+)</span>`).exec(html);
  if (!m) throw new Error(`no "${status}" status tab on the page`);
  return m[1]!;
}

/** The line that says how many cases there are ("3 cases match these filters."). */
export function resultCount(html: string): string {
  return decodeHtml(/<p class="muted result-count" role="status">([^<]*)<\/p>/.exec(html)?.[1] ?? "");
}

/** The pager's links: rel="next"/"prev" and the numbered ones, as paths to request. */
export function pagerLinks(html: string): { next?: string; prev?: string; numbers: Record<string, string>; current?: string } {
  const nav = /<nav class="pager"[^>]*>([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? "";
  const link = (rel: string) => {
    const m = new RegExp(`<a rel="${rel}" href="([^"]*)"`).exec(nav);
    return m ? `/cases${decodeHtml(m[1]!)}` : undefined;
  };
  const numbers: Record<string, string> = {};
  for (const m of nav.matchAll(/<a href="([^"]*)">(\d+)<\/a>/g)) numbers[m[2]!] = `/cases${decodeHtml(m[1]!)}`;
  const current = /<span aria-current="page">([^<]*)<\/span>/.exec(nav)?.[1];
  return { next: link("next"), prev: link("prev"), numbers, current };
}

/** One board column's HTML, by status. */
export function boardColumn(html: string, status: string): string {
  const start = html.indexOf(`<section class="board-column" data-status="${status}"`);
  if (start < 0) throw new Error(`no ${status} column on the board`);
  return html.slice(start, html.indexOf("</section>", start));
}

/** The case ids of a column's cards, in the order shown. */
export function cardIds(columnHtml: string): string[] {
  return [...columnHtml.matchAll(/data-case-card="([0-9a-f-]{36})"/g)].map((m) => m[1]!);
}

/** One card's HTML on the board. */
export function card(html: string, caseId: string): string {
  const start = html.indexOf(`data-case-card="${caseId}"`);
  if (start < 0) throw new Error(`no card for ${caseId} on the board`);
  return html.slice(start, html.indexOf("</li>", start));
}

/** The statuses a card's move buttons offer, in order (empty when it has none). */
export function moveOptions(cardHtml: string): string[] {
  return [...cardHtml.matchAll(/<button formaction="[^"]*" name="to" value="([^"]+)"/g)].map((m) => m[1]!);
}

/**
 * What a browser posts when the card's button for `to` is pressed: the button's formaction, and the fields of the
 * column's move form (which holds the card) with the button's own `to`.
 */
export function pressMove(html: string, caseId: string, to: string): { action: string; fields: Record<string, string> } {
  const at = html.indexOf(`data-case-card="${caseId}"`);
  if (at < 0) throw new Error(`no card for ${caseId} on the board`);
  const button = new RegExp(`<button formaction="([^"]+)" name="to" value="${to}"`).exec(card(html, caseId));
  if (!button) throw new Error(`the card of ${caseId} has no button to move to ${to}`);
  const column = html.slice(html.lastIndexOf('<section class="board-column"', at), html.indexOf("</section>", at));
  const formStart = column.search(/<form[^>]*\sdata-move-form[\s>]/);
  if (formStart < 0 || formStart > column.indexOf(`data-case-card="${caseId}"`) || column.indexOf("</form>") < column.indexOf(`data-case-card="${caseId}"`)) {
    throw new Error(`the card of ${caseId} is not inside its column's move form`);
  }
  return { action: decodeHtml(button[1]!), fields: { ...(formFields(column, "data-move-form") as Record<string, string>), to } };
}

let bulkNumber = 0;

/** Many cases straight into the database (numbered in a past year, so never colliding with the app's numbers). */
export async function bulkCases(db: Db, count: number, fields: { clientId: string; typeId: string; managerId: string; createdById: string } & Partial<Prisma.CaseCreateManyInput>) {
  const start = Date.now() - count * 1000;
  const data: Prisma.CaseCreateManyInput[] = [];
  for (let i = 0; i < count; i += 1) {
    bulkNumber += 1;
    data.push({
      caseNumber: `CASE-1999-${String(bulkNumber).padStart(6, "0")}`,
      title: `Bulk matter ${String(bulkNumber).padStart(6, "0")}`,
      description: "Written straight to the database.",
      updatedAt: new Date(start + i * 1000),
      ...fields,
    });
  }
  await db.case.createMany({ data });
  return db.case.findMany({ where: { caseNumber: { in: data.map((d) => d.caseNumber) } }, orderBy: { updatedAt: "desc" } });
}
