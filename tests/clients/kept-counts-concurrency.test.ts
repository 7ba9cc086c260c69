// The clients' trigger-kept counts (client_status_counts, client_assessment_counts) under concurrent writers: clients
// moving between the same two rows in opposite directions at once all land, without a deadlock, and the counts still
// equal a direct count.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { makeClient } from "./support.ts";

let t: TestApp;
let adminId: string;

beforeAll(async () => {
  t = await createTestApp();
  adminId = (await makeUser(t.db, { role: "admin" })).id;
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const asMap = (rows: { key: string; n: bigint }[]) => Object.fromEntries(rows.map((r) => [r.key, Number(r.n)]));

/** Runs each change in its own transaction, all at once, each holding its rows a moment before committing. */
async function allAtOnce(changes: { id: string; data: Record<string, unknown> }[]) {
  const results = await Promise.allSettled(
    changes.map(({ id, data }) =>
      t.db.$transaction(async (tx) => {
        await tx.client.update({ where: { id }, data });
        await tx.$executeRaw`SELECT pg_sleep(0.05)`;
      }),
    ),
  );
  return results.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason));
}

describe("the clients' kept counts under concurrent writers", () => {
  it("take status changes in opposite directions at once", async () => {
    const pairs = [];
    for (let i = 0; i < 4; i++) pairs.push([await makeClient(t.db, adminId, { status: "inactive" }), await makeClient(t.db, adminId, { status: "active" })] as const);
    expect(await allAtOnce(pairs.flatMap(([x, y]) => [{ id: x.id, data: { status: "active" } }, { id: y.id, data: { status: "inactive" } }]))).toEqual([]);
    const kept = await t.db.$queryRaw<{ key: string; n: bigint }[]>`SELECT status || '/' || is_confidential AS key, n FROM client_status_counts WHERE n > 0`;
    const direct = await t.db.$queryRaw<{ key: string; n: bigint }[]>`SELECT status || '/' || is_confidential AS key, count(*) AS n FROM clients GROUP BY 1`;
    expect(asMap(kept)).toEqual(asMap(direct));
  });

  it("take priority changes in opposite directions at once", async () => {
    const pairs = [];
    for (let i = 0; i < 4; i++) pairs.push([await makeClient(t.db, adminId, { priority: "high" }), await makeClient(t.db, adminId, { priority: "low" })] as const);
    expect(await allAtOnce(pairs.flatMap(([x, y]) => [{ id: x.id, data: { priority: "low" } }, { id: y.id, data: { priority: "high" } }]))).toEqual([]);
    const kept = await t.db.$queryRaw<{ key: string; n: bigint }[]>`SELECT priority || '/' || relationship || '/' || is_confidential AS key, n FROM client_assessment_counts WHERE n > 0`;
    const direct = await t.db.$queryRaw<{ key: string; n: bigint }[]>`SELECT coalesce(priority::text, '') || '/' || coalesce(relationship_status::text, '') || '/' || is_confidential AS key,
      count(*) AS n FROM clients GROUP BY 1`;
    expect(asMap(kept)).toEqual(asMap(direct));
  });
});
