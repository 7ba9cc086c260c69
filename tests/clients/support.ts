// Shared by the client tests: direct-to-database fixtures, and reading pages the way a browser would
// (the fields a form would submit, the rows of the list, the links of the pager, the 404 page).
import type { Db } from "../../src/db/client.ts";
import type { Prisma } from "../../src/generated/prisma/client.ts";

let fixtureNumber = 0;

/**
 * A client written straight to the database (not through the app), with a code from a past year so it never
 * collides with the codes the app hands out for the current year.
 */
export async function makeClient(db: Db, createdById: string, data: Partial<Prisma.ClientUncheckedCreateInput> & { teamUserIds?: string[] } = {}) {
  const { teamUserIds = [], ...fields } = data;
  fixtureNumber += 1;
  return db.client.create({
    data: {
      clientCode: `CLT-1999-${String(fixtureNumber).padStart(4, "0")}`,
      name: `Fixture Client ${fixtureNumber}`,
      clientType: "organization",
      createdById,
      ...fields,
      team: { create: teamUserIds.map((userId) => ({ userId })) },
    },
  });
}

export function decodeHtml(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? decodeHtml(m[1]!) : undefined;
}

function hasAttr(tag: string, name: string): boolean {
  return new RegExp(`\\s${name}(\\s|>|=|$)`).test(tag);
}

/** What a browser would submit from the first form matching `selector` (an attribute like `data-client-form`). */
export function formFields(html: string, selector = "data-client-form"): Record<string, string | string[]> {
  const start = html.search(new RegExp(`<form[^>]*\\s${selector}[\\s>]`));
  if (start < 0) throw new Error(`no form with ${selector} on the page`);
  const form = html.slice(start, html.indexOf("</form>", start));
  const fields: Record<string, string | string[]> = {};
  const add = (name: string, value: string) => {
    const had = fields[name];
    fields[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
  };
  for (const m of form.matchAll(/<input\b[^>]*>/g)) {
    const tag = m[0];
    const name = attr(tag, "name");
    if (!name) continue;
    const type = attr(tag, "type") ?? "text";
    if (type === "submit" || type === "button" || type === "file") continue;
    if ((type === "checkbox" || type === "radio") && !hasAttr(tag, "checked")) continue;
    add(name, attr(tag, "value") ?? (type === "checkbox" ? "on" : ""));
  }
  for (const m of form.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
    const name = attr(m[1]!, "name");
    if (!name) continue;
    const options = [...m[2]!.matchAll(/<option\b([^>]*)>/g)].map((o) => ({ value: attr(o[1]!, "value") ?? "", selected: /\sselected(\s|$|>)/.test(o[1]! + " ") }));
    const chosen = options.filter((o) => o.selected);
    if (hasAttr(m[1]!, "multiple")) chosen.forEach((o) => add(name, o.value));
    else if (chosen.length) add(name, chosen[0]!.value);
    else if (options.length) add(name, options[0]!.value);
  }
  for (const m of form.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g)) {
    const name = attr(m[1]!, "name");
    if (name) add(name, decodeHtml(m[2]!));
  }
  return fields;
}

/** The client ids of the list's rows, in the order shown. */
export function listedIds(html: string): string[] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  return [...body.matchAll(/<tr>\s*<td><a href="\/clients\/([0-9a-f-]{36})">/g)].map((m) => m[1]!);
}

/** The pager's link with rel="next" or rel="prev", as a path to request. */
export function pagerLink(html: string, rel: "next" | "prev"): string | undefined {
  const m = new RegExp(`<a rel="${rel}" href="([^"]*)"`).exec(html);
  return m ? `/clients${decodeHtml(m[1]!)}` : undefined;
}

/** The main content of a page without the flash messages: what a "Page not found" page says. */
export function mainContent(html: string): string {
  const main = /<main[^>]*>([\s\S]*?)<\/main>/.exec(html)?.[1] ?? html;
  return main.replace(/<div class="flashes">[\s\S]*?<\/div>\s*<\/div>/, "").replace(/(name="_once" value=")[^"]*"/g, "$1\"").trim();
}

/** The count shown on a status tab of the list (e.g. "Active 3"). */
export function statusCount(html: string, label: string): number {
  const m = new RegExp(`>${label} <span class="count">([\\d,+]+)</span>`).exec(html);
  if (!m) throw new Error(`no "${label}" status tab on the page`);
  return Number(m[1]!.replace(/[,+]/g, ""));
}

/** The block of one form field (label, input, hint, error): where a message "next to the field" lives. */
export function fieldBlock(html: string, name: string): string {
  const id = `id="f-${name}"`;
  const at = html.indexOf(id);
  if (at < 0) throw new Error(`no field ${name} on the page`);
  const start = html.lastIndexOf('<div class="field', at);
  const end = html.indexOf("</div>", at);
  return html.slice(start, end);
}

export function daysAgo(days: number): Date {
  const d = new Date();
  d.setUTCHours(0, 0, 0, 0);
  d.setUTCDate(d.getUTCDate() - days);
  return d;
}
