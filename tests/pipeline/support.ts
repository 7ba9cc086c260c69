// Shared by the pipeline tests: records written straight to the database where a test needs a state, and the pages'
// forms posted the way a browser would.
import type { Db } from "../../src/db/client.ts";
import type { Prisma } from "../../src/generated/prisma/client.ts";
import type { Agent } from "../helpers/http.ts";
import { postForm } from "../helpers/http.ts";

let n = 0;

export async function makeLead(db: Db, ownerId: string, data: Partial<Prisma.LeadUncheckedCreateInput> = {}) {
  n += 1;
  return db.lead.create({ data: { companyName: `Fixture Lead ${n} Holdings`, source: "website", capturedDate: new Date(), ownerId, createdById: ownerId, ...data } });
}

export async function makeProspect(db: Db, ownerId: string, data: Partial<Prisma.ProspectUncheckedCreateInput> = {}) {
  n += 1;
  return db.prospect.create({ data: { companyName: `Fixture Prospect ${n} Group`, ownerId, createdById: ownerId, estimatedValue: 10_000, probability: 50, ...data } });
}

/** A proposal with one version, written directly (number from a past year so it never collides with the app's). */
export async function makeProposal(db: Db, prospectId: string, createdById: string, data: Partial<Prisma.ProposalUncheckedCreateInput> = {}, amount = 12_000) {
  n += 1;
  return db.proposal.create({
    data: { number: `PRP-1999-${String(n).padStart(4, "0")}`, prospectId, createdById, ...data, versions: { create: { version: 1, amount, currency: "USD", scope: "Advisory retainer\nMonthly reviews.", createdById } } },
  });
}

/** The id in a redirect to `/prefix/<id>`. */
export function idFrom(location: string | undefined, prefix: string): string {
  const m = new RegExp(`^${prefix}/([0-9a-f-]{36})`).exec(location ?? "");
  if (!m) throw new Error(`no ${prefix} id in ${location}`);
  return m[1]!;
}

export function post(agent: Agent, page: string, action: string, fields: Record<string, string> = {}) {
  return postForm(agent, page, action, fields);
}

export const ACCEPT = { startDate: "2030-01-01", endDate: "2030-12-31" };
