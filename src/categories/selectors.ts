// Reads for the categories pages: how many clients each category holds, counting only clients the reader may see.
import { Prisma } from "../generated/prisma/client.ts";
import type { Db, Tx } from "../db/client.ts";
import { sqlRows } from "../db/sql.ts";
import type { CurrentUser } from "../access/roles.ts";
import { visibleClientsSql } from "../access/clients.ts";

/** Visible clients per category (all categories, or those of `categoryIds`). */
export async function visibleClientCounts(db: Db | Tx, reader: CurrentUser, categoryIds?: string[]): Promise<Map<string, number>> {
  const only = categoryIds ? Prisma.sql`c.category_id = ANY(${categoryIds}::uuid[])` : Prisma.sql`c.category_id IS NOT NULL`;
  const rows = await sqlRows<{ category_id: string; n: bigint }>(db, Prisma.sql`
    SELECT c.category_id, count(*) AS n FROM clients c WHERE ${only} AND ${visibleClientsSql(reader, "c")} GROUP BY c.category_id`);
  return new Map(rows.map((r) => [r.category_id, Number(r.n)]));
}
