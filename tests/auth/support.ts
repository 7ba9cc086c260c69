// Small helpers for the auth HTTP tests: session cookies and the rows behind them.
import type { Db } from "../../src/db/client.ts";

/** "clientdesk.sid=…" from a Set-Cookie line: what a browser sends back in its Cookie header. */
export function cookiePair(setCookie: string | undefined): string {
  if (!setCookie) throw new Error("no session cookie was set");
  return setCookie.split(";")[0]!;
}

/** The session id inside a signed cookie ("s:<sid>.<signature>", URL-encoded). */
export function sessionIdOf(cookie: string): string {
  const pair = cookiePair(cookie);
  const value = decodeURIComponent(pair.slice(pair.indexOf("=") + 1));
  if (!value.startsWith("s:")) throw new Error(`not a signed session cookie: ${cookie}`);
  return value.slice(2, value.lastIndexOf("."));
}

/** How many stored sessions are signed in as this user. */
export async function sessionCountOf(db: Db, userId: string): Promise<number> {
  const rows = await db.$queryRaw<{ count: bigint }[]>`SELECT count(*) AS count FROM "session" WHERE sess -> 'passport' ->> 'user' = ${userId}`;
  return Number(rows[0]!.count);
}

export async function sessionExists(db: Db, sid: string): Promise<boolean> {
  const rows = await db.$queryRaw<{ sid: string }[]>`SELECT sid FROM "session" WHERE sid = ${sid}`;
  return rows.length === 1;
}

/** The message shown under a form field, or undefined when the field has none. */
export function fieldError(html: string, field: string): string | undefined {
  const match = new RegExp(`<p class="field-error" id="f-${field}-error">([^<]*)</p>`).exec(html);
  return match?.[1];
}

/** Seconds a Set-Cookie line keeps the cookie: Max-Age when given, else Expires minus now. */
export function cookieLifetimeSeconds(setCookie: string): number | undefined {
  const maxAge = /;\s*Max-Age=(\d+)/i.exec(setCookie);
  if (maxAge) return Number(maxAge[1]);
  const expires = /;\s*Expires=([^;]+)/i.exec(setCookie);
  if (expires) return (Date.parse(expires[1]!) - Date.now()) / 1000;
  return undefined;
}
