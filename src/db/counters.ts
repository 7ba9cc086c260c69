// Per-year sequences behind human record numbers (client codes, case numbers, proposal numbers).
import { Prisma } from "../generated/prisma/client.ts";
import type { Tx } from "./client.ts";

/** The tables holding a (year, last) counter row per year. */
type CounterTable = "client_code_counters" | "case_number_counters" | "proposal_number_counters";

/**
 * The next number of `now`'s year. The upsert takes the year's row lock, so concurrent transactions get distinct
 * consecutive numbers; a rolled-back transaction gives its number back with it.
 */
export async function nextInYear(tx: Tx, table: CounterTable, now = new Date()): Promise<number> {
  const name = Prisma.raw(table);
  const [row] = await tx.$queryRaw<{ last: number }[]>`
    INSERT INTO ${name} (year, last) VALUES (${now.getUTCFullYear()}, 1)
    ON CONFLICT (year) DO UPDATE SET last = ${name}.last + 1
    RETURNING last`;
  return row!.last;
}
