// Browser-like HTTP helpers: a cookie-keeping agent, the CSRF token from a page, signing in.
import request from "supertest";
import type { Express } from "express";
import { PASSWORD } from "./factories.ts";

export type Agent = ReturnType<typeof request.agent>;

export function csrfTokenIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error("no CSRF token on the page");
  return match[1];
}

/** A token for the agent's current session, read from a page as a browser would. */
export async function csrfToken(agent: Agent, page = "/login"): Promise<string> {
  const res = await agent.get(page);
  return csrfTokenIn(res.text);
}

export async function signIn(app: Express, email: string, password = PASSWORD, headers: Record<string, string> = {}): Promise<{ agent: Agent; response: request.Response }> {
  const agent = request.agent(app);
  const token = await csrfToken(agent);
  let req = agent.post("/login").type("form");
  for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
  const response = await req.send({ _csrf: token, email, password });
  return { agent, response };
}

/** Signs in and fails the test unless it worked. */
export async function signedIn(app: Express, email: string, password = PASSWORD): Promise<Agent> {
  const { agent, response } = await signIn(app, email, password);
  if (response.status !== 302) throw new Error(`sign-in failed for ${email}: ${response.status}`);
  return agent;
}

/** Posts a form the way the page would, with the CSRF token taken from `page`. */
export async function postForm(agent: Agent, page: string, action: string, fields: Record<string, string | string[]>) {
  const token = await csrfToken(agent, page);
  return agent.post(action).type("form").send({ _csrf: token, ...fields });
}

export function cookieOf(response: request.Response, name = "clientdesk.sid"): string | undefined {
  const raw = response.headers["set-cookie"] as unknown as string[] | undefined;
  return raw?.find((c) => c.startsWith(`${name}=`));
}
