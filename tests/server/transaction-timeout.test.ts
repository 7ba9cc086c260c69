// A save whose transaction waits on another's lock past Prisma's interactive-transaction timeout (5 s): once the lock
// is released the user gets the 503 page that says it may not have been saved and to try again (not a 500), nothing
// of it is written, and the same form saves afterwards.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { csrfToken, signedIn } from "../helpers/http.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe("a save held past the transaction timeout", () => {
  it("answers the 503 page, writes nothing, and saves once the lock is released", async () => {
    const admin = await makeUser(t.db, { role: "admin" });
    const agent = await signedIn(t.app, admin.email);
    const token = await csrfToken(agent, "/clients/new");
    const fields = { _csrf: token, name: "Held Past The Timeout Ltd", clientType: "organization", confirmDuplicates: "on" };
    // The first create makes the year's code counter row; the locker then holds it, as a long transaction would.
    expect((await agent.post("/clients").type("form").send({ ...fields, name: "First Of The Year Ltd" })).status).toBe(302);
    const locker = new pg.Client({ connectionString: t.url });
    await locker.connect();
    try {
      await locker.query("BEGIN");
      await locker.query("SELECT 1 FROM client_code_counters FOR UPDATE");
      const held = agent.post("/clients").type("form").set("Accept", "text/html").send(fields).then((r) => r);
      // The app's statement waits on the lock until it is released, past the 5 s its transaction may last.
      await new Promise((resolve) => setTimeout(resolve, 5_500));
      await locker.query("ROLLBACK");
      const res = await held;
      expect(res.status).toBe(503);
      expect(res.headers["retry-after"]).toBe("10");
      expect(res.text).toContain("Temporarily unavailable");
      expect(res.text).toContain("it may not have been saved");
      expect(res.text).not.toMatch(/P2028|expired transaction|PrismaClient/);
    } finally {
      await locker.query("ROLLBACK").catch(() => undefined);
      await locker.end();
    }
    expect(await t.db.client.count({ where: { name: fields.name } })).toBe(0);
    expect(await t.db.auditEvent.count({ where: { action: "client.create", changes: { path: ["name", "after"], equals: fields.name } } })).toBe(0);
    const again = await agent.post("/clients").type("form").send(fields);
    expect(again.status).toBe(302);
    expect(await t.db.client.count({ where: { name: fields.name } })).toBe(1);
  }, 30_000);
});
