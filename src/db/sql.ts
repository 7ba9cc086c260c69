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

/**
 * How many rows `rows` (a SELECT) gives, counted no further than `cap + 1`: a count shown as "1,000+" past its cap
 * reads at most cap + 1 rows. An int-valued subquery, for a select list.
 */
export function cappedCountSql(rows: Prisma.Sql, cap: number): Prisma.Sql {
  return Prisma.sql`(SELECT count(*)::int FROM (${rows} LIMIT ${sqlInteger(cap + 1)}) capped)`;
}

/**
 * Every row of a kept-count table (a handful of rows the database's triggers update on each write), read through its
 * primary key: a subquery (`FROM ${keptCountRowsSql(...)} s`) ordered by the key, so PostgreSQL walks the key's index
 * when the table has grown. Each count change leaves a row version behind, and a transaction that changes thousands of
 * rows (a CSV import, a bulk change) leaves them all on new pages that no later VACUUM gives back: read by a plain
 * scan, a table of eight rows costs its readers hundreds of pages for good (docs/performance.md).
 */
export function keptCountRowsSql(table: string, key: readonly string[]): Prisma.Sql {
  if (!/^[a-z_]+$/.test(table) || !key.every((k) => /^[a-z_]+$/.test(k))) throw new Error(`not a table or column name: ${table} (${key.join(", ")})`);
  return Prisma.raw(`(SELECT * FROM "${table}" ORDER BY ${key.map((k) => `"${k}"`).join(", ")})`);
}

/**
 * A read whose rows travel as JSON (json_agg over its query), turned into what its caller gets by `read`. Reads run
 * alone (sqlRead) or several in one statement (sqlReads): one round trip for a page's reads, where each round trip
 * costs a socket write in the app and a wake-up of a PostgreSQL backend on the same two cores (docs/performance.md).
 * In JSON, dates and timestamps come as text (read them with jsonDate), integers, floats and numerics as numbers.
 * `planned: "each time"` as in sqlRows; a batch holding such a read is planned each time.
 */
export interface JsonRead<T> {
  /** Null when nothing needs asking (the result is `read([])`), e.g. a section the reader has no reason to see. */
  sql: Prisma.Sql | null;
  read: (rows: unknown[]) => T;
  planned?: "each time";
}

/** A JsonRead of rows of type `Row` (as JSON gives them). */
export function jsonRead<Row, T>(sql: Prisma.Sql | null, read: (rows: Row[]) => T, options: { planned?: "each time" } = {}): JsonRead<T> {
  return { sql, read: read as (rows: unknown[]) => T, ...options };
}

type ReadResults<R extends readonly JsonRead<unknown>[]> = { -readonly [K in keyof R]: R[K] extends JsonRead<infer T> ? T : never };

/** The one-row statement asking several reads, each an uncorrelated subquery named r0, r1…; null when none asks anything. */
function readsStatement(reads: readonly JsonRead<unknown>[]): { sql: Prisma.Sql | null; planned?: "each time" } {
  const asked = reads.flatMap((r, i) => (r.sql ? [Prisma.sql`(SELECT coalesce(json_agg(x), '[]') FROM (${r.sql}) x) AS ${Prisma.raw(`r${i}`)}`] : []));
  const planned = reads.some((r) => r.sql && r.planned === "each time") ? "each time" : undefined;
  return { sql: asked.length ? Prisma.sql`SELECT ${Prisma.join(asked)}` : null, ...(planned ? { planned } : {}) };
}

function readResults<R extends readonly JsonRead<unknown>[]>(reads: R, row: Record<string, unknown[]>): ReadResults<R> {
  return reads.map((r, i) => r.read(r.sql ? row[`r${i}`]! : [])) as ReadResults<R>;
}

/** Several reads in one statement and one round trip, each an uncorrelated subquery of it; results in their order. */
export async function sqlReads<const R extends readonly JsonRead<unknown>[]>(db: Db | Tx, reads: R): Promise<ReadResults<R>> {
  const { sql, planned } = readsStatement(reads);
  const row = sql ? await sqlRow<Record<string, unknown[]>>(db, sql, { planned }) : {};
  return readResults(reads, row);
}

/** A read whose result is passed through `f` (the same statement). */
export function mappedRead<A, T>(read: JsonRead<A>, f: (result: A) => T): JsonRead<T> {
  return { ...read, read: (rows) => f(read.read(rows)) };
}

/**
 * Several reads as one, their results put together by `combine`: a page section made of several reads, to be asked
 * beside the page's other reads (sqlReads) in the page's one statement.
 */
export function combinedRead<const R extends readonly JsonRead<unknown>[], T>(reads: R, combine: (...results: ReadResults<R>) => T): JsonRead<T> {
  const { sql, planned } = readsStatement(reads);
  return jsonRead<Record<string, unknown[]>, T>(sql, ([row]) => combine(...readResults(reads, row ?? {})), planned ? { planned } : {});
}

/** The one row of a statement that always gives exactly one row (a SELECT of subqueries, or a count). */
export async function sqlRow<T extends object>(db: Db | Tx, query: Prisma.Sql, options: { planned?: "each time" } = {}): Promise<T> {
  return (await sqlRows<T>(db, query, options))[0]!;
}

/** One read (a JsonRead) on its own. */
export async function sqlRead<T>(db: Db | Tx, read: JsonRead<T>): Promise<T> {
  const [result] = await sqlReads(db, [read] as const);
  return result;
}
