// The clients' kept counts (client_status_counts, client_assessment_counts) after one large transaction: every count
// change in it leaves a row version behind on a new page that no VACUUM gives back, so the tables grow to hundreds of
// pages for a handful of rows. Their readers (the client list's status counts, the relationship dashboard's counts by
// priority and relationship status) go through the key's index and read the live rows' pages only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Prisma } from "../../src/generated/prisma/client.ts";
import type { CurrentUser } from "../../src/access/roles.ts";
import { clientCountsQuery } from "../../src/clients/queries.ts";
import { clientFilters } from "../../src/clients/schemas.ts";
import { clientsByAssessmentRead } from "../../src/dashboard/relationship.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { makeClient } from "./support.ts";

let t: TestApp;
let reader: CurrentUser;

interface PlanNode {
  "Relation Name"?: string;
  "Shared Hit Blocks"?: number;
  "Shared Read Blocks"?: number;
  Plans?: PlanNode[];
}

/** Pages of `table` the statement read (its scan nodes' own buffers: hit and read). */
async function pagesRead(sql: Prisma.Sql, table: string): Promise<number> {
  const [row] = await t.db.$queryRawUnsafe<{ "QUERY PLAN": [{ Plan: PlanNode }] }[]>(`EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, FORMAT JSON) ${sql.text}`, ...sql.values);
  const walk = (node: PlanNode): number =>
    (node["Relation Name"] === table ? (node["Shared Hit Blocks"] ?? 0) + (node["Shared Read Blocks"] ?? 0) : 0) + (node.Plans ?? []).reduce((sum, child) => sum + walk(child), 0);
  return walk(row!["QUERY PLAN"][0].Plan);
}

const relationPages = async (table: string) => Number((await t.db.$queryRawUnsafe<{ n: number }[]>(`SELECT pg_relation_size('${table}') / current_setting('block_size')::int AS n`))[0]!.n);

/** What a transaction changing one client 20,000 times does to the table's row (its versions cannot be pruned before it ends). */
async function bloat(table: string, where: string) {
  await t.db.$executeRawUnsafe(`DO $$ BEGIN FOR i IN 1..20000 LOOP UPDATE "${table}" SET n = n WHERE ${where}; END LOOP; END $$`);
  await t.db.$executeRawUnsafe(`VACUUM ANALYZE "${table}"`);
}

beforeAll(async () => {
  t = await createTestApp();
  const admin = await makeUser(t.db, { role: "admin" });
  const staff = await makeUser(t.db, { role: "staff", relationshipTeam: true });
  reader = { id: staff.id, email: staff.email, name: staff.name, role: "staff", relationshipTeam: true, legalTeam: false, viewConfidential: false, department: null, mustChangePassword: false };
  await makeClient(t.db, admin.id, { status: "active", priority: "high", relationshipStatus: "warm" });
  await makeClient(t.db, admin.id, { status: "on_hold", isConfidential: true, teamUserIds: [staff.id] });
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe("the kept client counts, bloated by one large transaction", () => {
  it("the client list's status counts read the live rows' pages, not every page", async () => {
    await bloat("client_status_counts", "status = 'active' AND NOT is_confidential");
    expect(await relationPages("client_status_counts")).toBeGreaterThan(50);
    const counts = clientCountsQuery(reader, clientFilters.parse({}));
    expect(await pagesRead(counts.sql, "client_status_counts")).toBeLessThanOrEqual(6);
    // And the counts are still right: the open active client and the reader's restricted on-hold one.
    const rows = await t.db.$queryRawUnsafe<Record<string, unknown>[]>(counts.sql.text, ...counts.sql.values);
    expect(counts.finish(rows).byStatus).toEqual({ active: 1, inactive: 0, on_hold: 1, archived: 0 });
  });

  it("the relationship dashboard's counts by priority and relationship status do too", async () => {
    await bloat("client_assessment_counts", "priority = 'high' AND relationship = 'warm' AND NOT is_confidential");
    expect(await relationPages("client_assessment_counts")).toBeGreaterThan(50);
    const read = clientsByAssessmentRead(reader);
    expect(await pagesRead(read.sql!, "client_assessment_counts")).toBeLessThanOrEqual(6);
  });
});
