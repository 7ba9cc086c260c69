// Helpers for the two-factor tests: codes as an authenticator app would show them, enrolment through the pages.
import { generate } from "otplib";
import request from "supertest";
import type { Express } from "express";
import { csrfToken, csrfTokenIn, postForm, type Agent } from "../helpers/http.ts";
import { PASSWORD } from "../helpers/factories.ts";
import { decodeHtml } from "../clients/support.ts";

export const TEST_TWO_FACTOR_KEY = "0f".repeat(32);

/** The code an app shows `offsetSteps` periods from now (1: the next one, still accepted; -3: long expired). */
export function codeAt(secret: string, offsetSteps = 0): Promise<string> {
  return generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSteps * 30, period: 30 });
}

export function secretIn(html: string): string {
  const match = /<code class="secret" data-copy data-secret>([^<]+)<\/code>/.exec(html);
  if (!match) throw new Error("no secret on the enrolment page");
  return match[1]!.replace(/\s+/g, "");
}

export function recoveryCodesIn(html: string): string[] {
  const list = /<ul class="recovery-codes" data-recovery-codes>([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? "";
  return [...list.matchAll(/<code>([^<]+)<\/code>/g)].map((m) => decodeHtml(m[1]!));
}

/** Turns two-factor on for a signed-in agent through the account pages; returns the secret and the recovery codes. */
export async function enrolThroughPages(agent: Agent): Promise<{ secret: string; codes: string[] }> {
  const page = await agent.get("/account/two-factor/enrol");
  if (page.status !== 200) throw new Error(`enrolment page: ${page.status}`);
  const secret = secretIn(page.text);
  const done = await agent.post("/account/two-factor/enrol").type("form").send({ _csrf: csrfTokenIn(page.text), code: await codeAt(secret) });
  if (done.status !== 200) throw new Error(`enrolment failed: ${done.status}`);
  return { secret, codes: recoveryCodesIn(done.text) };
}

/** The password step: a fresh browser posts email and password; returns the agent half way. */
export async function passwordStep(app: Express, email: string, password = PASSWORD, headers: Record<string, string> = {}) {
  const agent = request.agent(app);
  const token = await csrfToken(agent);
  let req = agent.post("/login").type("form");
  for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
  const response = await req.send({ _csrf: token, email, password });
  return { agent, response };
}

/** The code step of a half-signed agent. */
export async function codeStep(agent: Agent, code: string, headers: Record<string, string> = {}) {
  const page = await agent.get("/login/code");
  if (page.status !== 200) return page;
  let req = agent.post("/login/code").type("form");
  for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
  return req.send({ _csrf: csrfTokenIn(page.text), code });
}

export { postForm };
