// THE access policy for the pre-sale pipeline: leads, prospects and their proposals are visible to their owner, to
// managers and to administrators, and to nobody else (404 on their URLs, absent from lists, boards, counts, the
// funnel, campaign figures and exports). Every read of pipeline records takes its filter from here, as SQL.
// A renewal prospect names an existing client: it is visible only where that client is (the client rule).
// Campaigns are the firm's marketing programmes, not records about a party: every user sees them (a lead form picks
// one), and their figures count only the pipeline records the reader sees.
import { Prisma } from "../generated/prisma/client.ts";
import type { CurrentUser } from "./roles.ts";
import { visibleClientsSql } from "./clients.ts";

/** Managers and administrators see every pipeline record; staff only their own. */
export function seesAllPipeline(user: CurrentUser): boolean {
  return user.role === "admin" || user.role === "manager";
}

/** The leads this user may know exist; `alias` is the leads table. */
export function visibleLeadsSql(user: CurrentUser, alias = "l"): Prisma.Sql {
  if (seesAllPipeline(user)) return Prisma.sql`TRUE`;
  return Prisma.sql`${Prisma.raw(`"${alias}"`)}.owner_id = ${user.id}::uuid`;
}

/** The prospects this user may know exist; `alias` is the prospects table. */
export function visibleProspectsSql(user: CurrentUser, alias = "p"): Prisma.Sql {
  const p = Prisma.raw(`"${alias}"`);
  const owner = seesAllPipeline(user) ? Prisma.sql`TRUE` : Prisma.sql`${p}.owner_id = ${user.id}::uuid`;
  const client = Prisma.sql`(${p}.client_id IS NULL OR EXISTS (SELECT 1 FROM clients rc WHERE rc.id = ${p}.client_id AND ${visibleClientsSql(user, "rc")}))`;
  return Prisma.sql`(${owner} AND ${client})`;
}

/** Proposals inherit their prospect's rule; `alias` is the proposals table. */
export function visibleProposalsSql(user: CurrentUser, alias = "pr"): Prisma.Sql {
  return Prisma.sql`EXISTS (SELECT 1 FROM prospects vp WHERE vp.id = ${Prisma.raw(`"${alias}"`)}.prospect_id AND ${visibleProspectsSql(user, "vp")})`;
}

// What a user may do to a pipeline record is in permissions.ts ("pipeline.work", "pipeline.accept", ...).
