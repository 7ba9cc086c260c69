// Several reads in one statement (sqlReads, src/db/sql.ts): each read's rows come back in its own order, as JSON, with
// its own parameters, on the pool and in a transaction alike; an empty read gives no rows, not null; a read with
// nothing to ask makes no query. A read riding along (rideAlong) travels with a request's first one-row statement on
// the pool, once, and is asked when no statement carried it, with the other reads still waiting.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "../../src/generated/prisma/client.ts";
import { connectDatabase, type Database } from "../../src/db/client.ts";
import { jsonDate, jsonRead, rideAlong, sqlRead, sqlReads, sqlRow, withRidingReads } from "../../src/db/sql.ts";
import { createTestDatabaseUrl } from "../helpers/db.ts";

let database: Database;
beforeAll(async () => {
  database = connectDatabase(await createTestDatabaseUrl(), { max: 2 });
});
afterAll(async () => database.close());

const numbers = (from: number, to: number) =>
  jsonRead<{ n: number; day: string }, { n: number; day: Date }[]>(
    Prisma.sql`SELECT g.n, (DATE '2026-01-01' + g.n) AS day FROM generate_series(${from}::int, ${to}::int) g(n) ORDER BY g.n DESC`,
    (rows) => rows.map((r) => ({ n: r.n, day: jsonDate(r.day)! })),
  );
const word = (text: string) => jsonRead<{ w: string }, string[]>(Prisma.sql`SELECT ${text}::text AS w`, (rows) => rows.map((r) => r.w));

describe("sqlReads", () => {
  it("returns each read's rows in its order, with its own parameters and dates read back", async () => {
    const [high, none, greeting] = await sqlReads(database.prisma, [numbers(3, 5), numbers(2, 1), word("it's 'quoted'")]);
    expect(high).toEqual([
      { n: 5, day: new Date("2026-01-06T00:00:00Z") },
      { n: 4, day: new Date("2026-01-05T00:00:00Z") },
      { n: 3, day: new Date("2026-01-04T00:00:00Z") },
    ]);
    expect(none).toEqual([]);
    expect(greeting).toEqual(["it's 'quoted'"]);
  });

  it("gives the same results in a transaction and for a read planned each time", async () => {
    const inTx = await database.prisma.$transaction((tx) => sqlReads(tx, [numbers(1, 2), word("tx")]));
    expect(inTx).toEqual([[{ n: 2, day: new Date("2026-01-03T00:00:00Z") }, { n: 1, day: new Date("2026-01-02T00:00:00Z") }], ["tx"]]);
    const once = { ...numbers(7, 7), planned: "each time" as const };
    expect(await sqlRead(database.prisma, once)).toEqual([{ n: 7, day: new Date("2026-01-08T00:00:00Z") }]);
  });

  it("answers a read with nothing to ask (sql null) from no rows, without a query when no read asks", async () => {
    const skipped = jsonRead<never, string>(null, (rows) => `rows: ${rows.length}`);
    const [a, b] = await sqlReads(database.prisma, [skipped, word("asked")]);
    expect([a, b]).toEqual(["rows: 0", ["asked"]]);
    const closed = connectDatabase(await createTestDatabaseUrl(), { max: 1 });
    await closed.close();
    // A closed pool would throw on any query: none is made.
    expect(await sqlReads(closed.prisma, [skipped, skipped])).toEqual(["rows: 0", "rows: 0"]);
    await expect(sqlReads(closed.prisma, [word("asked")])).rejects.toThrow();
  });
});

describe("reads riding along", () => {
  /** The texts of the statements the pool runs while `fn` runs. */
  async function statementsOf<T>(fn: () => Promise<T>): Promise<{ result: T; texts: string[] }> {
    const texts: string[] = [];
    const query = database.pool.query;
    database.pool.query = ((config: unknown, ...rest: unknown[]) => {
      texts.push(typeof config === "string" ? config : (config as { text: string }).text);
      return (query as (...args: unknown[]) => unknown).call(database.pool, config, ...rest);
    }) as typeof query;
    try {
      return { result: await fn(), texts };
    } finally {
      database.pool.query = query;
    }
  }
  const inRequest = <T>(fn: () => Promise<T>) => new Promise<T>((resolve, reject) => withRidingReads(() => void fn().then(resolve, reject)));

  it("travels with the first one-row statement, as its own columns, and leaves that statement's row as it was", async () => {
    const { result, texts } = await statementsOf(() =>
      inRequest(async () => {
        const header = rideAlong(database.prisma, word("header"));
        const [first] = await sqlReads(database.prisma, [numbers(1, 1)]);
        const row = await sqlRow<{ a: number; b: string }>(database.prisma, Prisma.sql`SELECT 1 AS a, 'x'::text AS b`);
        return { first, row, header: await header(), again: await header() };
      }),
    );
    expect(result).toEqual({ first: [{ n: 1, day: new Date("2026-01-02T00:00:00Z") }], row: { a: 1, b: "x" }, header: ["header"], again: ["header"] });
    expect(texts).toHaveLength(2);
    expect(texts[0]).toContain("'[]') FROM (SELECT $1::text AS w) x) AS ride_0 FROM (SELECT");
    expect(texts[1]).not.toContain("ride_");
  });

  it("is asked on its own when no statement carried it: none ran, one ran in a transaction, or the carrier failed", async () => {
    // Asked then with every read still waiting, in one statement.
    const alone = await statementsOf(() =>
      inRequest(async () => {
        const [one, two] = [rideAlong(database.prisma, word("one")), rideAlong(database.prisma, word("two"))];
        return [await two(), await one()];
      }),
    );
    expect(alone.result).toEqual([["two"], ["one"]]);
    expect(alone.texts).toHaveLength(1);

    const inTx = await statementsOf(() =>
      inRequest(async () => {
        const header = rideAlong(database.prisma, word("after tx"));
        const row = await database.prisma.$transaction((tx) => sqlRow<{ a: number }>(tx, Prisma.sql`SELECT 2 AS a`));
        return { row, header: await header() };
      }),
    );
    expect(inTx.result).toEqual({ row: { a: 2 }, header: ["after tx"] });
    expect(inTx.texts.filter((text) => text.includes("ride_"))).toEqual([]);

    const failed = await inRequest(async () => {
      const header = rideAlong(database.prisma, word("still there"));
      await expect(sqlRow(database.prisma, Prisma.sql`SELECT 1 / 0 AS boom`)).rejects.toThrow(/division by zero/);
      return header();
    });
    expect(failed).toEqual(["still there"]);
  });

  it("outside a request, runs when asked", async () => {
    const { result, texts } = await statementsOf(async () => {
      const header = rideAlong(database.prisma, word("no request"));
      await sqlRow(database.prisma, Prisma.sql`SELECT 3 AS a`);
      return header();
    });
    expect(result).toEqual(["no request"]);
    expect(texts).toHaveLength(2);
    expect(texts.some((text) => text.includes("ride_"))).toBe(false);
  });
});
