// Shared by the case record page tests: reading flash messages and following a redirect the way a browser would.
import type { Agent } from "../helpers/http.ts";
import { decodeHtml } from "../clients/support.ts";

/** The flash messages on a page, as [kind, text]. */
export function flashesOf(html: string): [string, string][] {
  return [...html.matchAll(/<div class="flash flash-(\w+)" role="(?:status|alert)">\s*<p>([\s\S]*?)<\/p>/g)].map((m) => [m[1]!, decodeHtml(m[2]!)]);
}

/** Follows a redirect response and returns the page it leads to. */
export async function follow(agent: Agent, res: { status: number; headers: Record<string, string> }) {
  if (res.status !== 302 && res.status !== 303) throw new Error(`expected a redirect, got ${res.status}`);
  return agent.get(res.headers.location!);
}

/** The options of the select named `name` (first one on the page), as values. */
export function optionValues(html: string, name: string): string[] {
  const m = new RegExp(`<select[^>]*name="${name}"[^>]*>([\\s\\S]*?)</select>`).exec(html);
  if (!m) throw new Error(`no select ${name} on the page`);
  return [...m[1]!.matchAll(/<option value="([^"]*)"/g)].map((o) => o[1]!);
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
