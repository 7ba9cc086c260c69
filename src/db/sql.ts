// Hand-written SQL on hot paths (client lists, search, counts) runs straight on the pg pool: the ORM's per-query CPU
// cost would be paid by lists and searches on every page (docs/performance-history.md).
import { createHash } from "node:crypto";
import pg from "pg";
import { Prisma } from "../generated/prisma/client.ts";
import type { Db, Tx } from "./client.ts";

const pools = new WeakMap<object, pg.Pool>();
/** Statement name per SQL text, so a hot query is not hashed on every call (the set of texts is bounded). */
const statementNames = new Map<string, string>();

/** Lets `sqlRows` find the pool behind a Prisma client (done once, in connectDatabase). */
export function registerPool(prisma: object, pool: pg.Pool) {
  pools.set(prisma, pool);
}

// Read dates and timestamps-without-zone as UTC, as Prisma does, whatever the process's time zone.
const DATE = 1082;
const TIMESTAMP = 1114;
const INT8 = 20;
const utcTypes = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === DATE) return (v: string) => new Date(`${v}T00:00:00Z`);
    if (oid === TIMESTAMP) return (v: string) => new Date(`${v.replace(" ", "T")}Z`);
    if (oid === INT8) return (v: string) => BigInt(v); // counts come back as bigint, as from Prisma's $queryRaw
    return pg.types.getTypeParser(oid, format);
  },
};

/**
 * The prepared statement's name for a text: named, each connection prepares a statement once and PostgreSQL can reuse
 * its plan (planning these queries costs more than running them). The name follows the text; filters and sorts give
 * a bounded set of texts.
 */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `q${createHash("sha1").update(text).digest("base64url").slice(0, 20)}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * Rows of a Prisma.sql query: on the pool when `db` is the app's client, in the transaction when it is a `tx`.
 * `planned: "each time"` runs it unprepared, planned for this call: for a text that holds values written into it
 * (so the planner sees them), of which there may be many, none of which should stay prepared on a connection.
 */
export async function sqlRows<T>(db: Db | Tx, query: Prisma.Sql, options: { planned?: "each time" } = {}): Promise<T[]> {
  const pool = pools.get(db);
  if (!pool) return (db as Db).$queryRaw<T[]>(query);
  const name = options.planned === "each time" ? undefined : statementName(query.text);
  const result = await pool.query({ name, text: query.text, values: query.values as unknown[], types: utcTypes as pg.CustomTypesConfig });
  return result.rows as T[];
}

/**
 * A date or timestamp from JSON built in SQL (json_build_object gives text: `YYYY-MM-DD` for a date, a timestamp
 * without a zone, which is UTC here), or a Date the driver parsed already (the $queryRaw path); null stays null.
 * Dates come back at UTC midnight, as the ORM gives them.
 */
export function jsonDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  const text = String(value);
  if (text.length === 10) return new Date(`${text}T00:00:00Z`);
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`);
}

/** Text for LIKE (and Prisma's `contains`) with its wildcards escaped, so "%" and "_" match themselves. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (m) => `\\${m}`);
}

/**
 * Text written into the SQL text as a quoted literal (pg's escapeLiteral), for a value the planner must see in a query
 * run with `planned: "each time"`: the app's connections plan generically (client.ts), so a parameter's value is
 * unknown to the planner even on an unprepared statement. A full-text search term is the case: a common word is best
 * found walking by date, a rare one through the GIN index, and only the value tells which.
 */
export function sqlText(text: string): Prisma.Sql {
  return Prisma.raw(pg.escapeLiteral(text.replace(/\0/g, "")));
}

/**
 * An integer written into the SQL text instead of passed as a parameter, for a LIMIT the planner must see: with a
 * parameter, a generic plan cannot tell ten rows from thousands and may read a whole table to hash-join them.
 */
export function sqlInteger(n: number): Prisma.Sql {
  return Prisma.raw(String(Math.trunc(n)));
}
