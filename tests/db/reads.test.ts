// Several reads in one statement (sqlReads, src/db/sql.ts): each read's rows come back in its own order, as JSON, with
// its own parameters, on the pool and in a transaction alike; an empty read gives no rows, not null; a read with
// nothing to ask makes no query.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "../../src/generated/prisma/client.ts";
import { connectDatabase, type Database } from "../../src/db/client.ts";
import { jsonDate, jsonRead, sqlRead, sqlReads } from "../../src/db/sql.ts";
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
