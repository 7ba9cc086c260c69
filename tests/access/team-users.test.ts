// client_team_users (prisma/repeatable/client-team-users.sql) keeps, per user, the clients they are on the team of with
// copies of each client's restriction and last contact: what the dashboards' "mine" counts read. Checked here after
// each kind of write (clients created, account manager and points of contact changed or repeated, team members added,
// moved and removed, restriction and last contact changed, a client deleted) and under concurrent team writers: the
// table equals the team as the rows state it (the four reasons, read from the clients and team tables), and the
// client rule's team function (client_team_ids) gives each user their clients from it, and the restricted ones.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { makeClient } from "../clients/support.ts";

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

type Row = { user_id: string; client_id: string; is_confidential: boolean; last_contact_at: string | null };
const rowsOf = async (sql: string) =>
  (await t.database.pool.query<Row>(`SELECT user_id, client_id, is_confidential, to_char(last_contact_at, 'YYYY-MM-DD') AS last_contact_at FROM (${sql}) x ORDER BY 1, 2`)).rows;

/** The kept table equals the team from the rows, and each user's clients are client_team_ids' set for them. */
async function expectKeptMatchesRows(label: string) {
  const kept = await rowsOf(`SELECT user_id, client_id, is_confidential, last_contact_at FROM client_team_users`);
  const fromRows = await rowsOf(`
    SELECT DISTINCT r.user_id, c.id AS client_id, c.is_confidential, c.last_contact_at FROM clients c
    JOIN (SELECT id AS client_id, account_manager_id AS user_id FROM clients UNION ALL SELECT id, primary_poc_id FROM clients
          UNION ALL SELECT id, secondary_poc_id FROM clients UNION ALL SELECT client_id, user_id FROM client_team_members) r
      ON r.client_id = c.id AND r.user_id IS NOT NULL`);
  expect(kept, label).toEqual(fromRows);
  // The rule's team function reads the kept table: each user's set, and their restricted clients among it, are the
  // team as the rows state it.
  const users = (await t.database.pool.query<{ id: string }>(`SELECT id FROM users`)).rows;
  for (const { id } of users) {
    const mine = fromRows.filter((r) => r.user_id === id);
    for (const restricted of [false, true]) {
      const { rows } = await t.database.pool.query<{ ids: string[] }>(
        `SELECT coalesce(array_agg(DISTINCT x ORDER BY x), '{}') AS ids FROM client_team_ids($1::uuid, $2) x`,
        [id, restricted],
      );
      const want = mine.filter((r) => !restricted || r.is_confidential).map((r) => r.client_id).sort();
      expect(rows[0]!.ids.map(String).sort(), `${label}: user ${id}${restricted ? ", restricted" : ""}`).toEqual(want);
    }
  }
}

describe("client_team_users", () => {
  it("follows every write to a client's team, restriction and last contact", async () => {
    const admin = await makeUser(t.db, { role: "admin" });
    const [a, b, c] = [await makeUser(t.db, { role: "staff" }), await makeUser(t.db, { role: "staff" }), await makeUser(t.db, { role: "staff" })];
    const x = await makeClient(t.db, admin.id, { accountManagerId: a.id, primaryPocId: b.id });
    const y = await makeClient(t.db, admin.id, { isConfidential: true, accountManagerId: b.id, secondaryPocId: a.id });
    const z = await makeClient(t.db, admin.id);
    await expectKeptMatchesRows("created");
    // Several clients in one statement (an import): the insert trigger runs once for all of them.
    await t.database.pool.query(
      `INSERT INTO clients (id, client_code, name, client_type, created_by_id, account_manager_id, primary_poc_id, secondary_poc_id, is_confidential, last_contact_at, updated_at)
       VALUES (gen_random_uuid(), 'CLT-1998-0001', 'Imported One', 'organization', $1, $2, $2, $3, TRUE, DATE '2026-02-01', now()),
              (gen_random_uuid(), 'CLT-1998-0002', 'Imported Two', 'organization', $1, NULL, $3, NULL, FALSE, NULL, now())`,
      [admin.id, a.id, c.id],
    );
    await expectKeptMatchesRows("created several in one statement");
    expect((await rowsOf(`SELECT * FROM client_team_users WHERE client_id = '${x.id}'`)).map((r) => r.user_id).sort()).toEqual([a.id, b.id].sort());

    await t.db.client.update({ where: { id: x.id }, data: { accountManagerId: c.id, secondaryPocId: b.id } });
    await expectKeptMatchesRows("account manager changed, a point of contact repeated");
    await t.db.clientTeamMember.create({ data: { clientId: x.id, userId: b.id } });
    await t.db.clientTeamMember.create({ data: { clientId: z.id, userId: a.id } });
    await expectKeptMatchesRows("team members added (one already a point of contact)");
    await t.db.client.update({ where: { id: x.id }, data: { primaryPocId: null, secondaryPocId: null } });
    await expectKeptMatchesRows("points of contact removed: the team member keeps the client");
    await t.database.pool.query(`UPDATE client_team_members SET client_id = $1 WHERE client_id = $2 AND user_id = $3`, [y.id, z.id, a.id]);
    await expectKeptMatchesRows("a team member moved to another client");
    await t.db.clientTeamMember.deleteMany({ where: { clientId: x.id, userId: b.id } });
    await expectKeptMatchesRows("a team member removed");
    await t.db.client.update({ where: { id: y.id }, data: { isConfidential: false, lastContactAt: new Date("2026-01-15T00:00:00Z") } });
    await t.db.client.update({ where: { id: x.id }, data: { isConfidential: true, lastContactAt: new Date("2025-06-01T00:00:00Z") } });
    await expectKeptMatchesRows("restriction and last contact changed");
    expect(await rowsOf(`SELECT * FROM client_team_users WHERE client_id = '${x.id}'`)).toEqual([
      { user_id: c.id, client_id: x.id, is_confidential: true, last_contact_at: "2025-06-01" },
    ]);
    await t.db.clientTeamMember.create({ data: { clientId: y.id, userId: c.id } });
    await t.database.pool.query(`DELETE FROM clients WHERE id = $1`, [y.id]);
    await expectKeptMatchesRows("a client deleted");
    expect(await rowsOf(`SELECT * FROM client_team_users WHERE client_id = '${y.id}'`)).toEqual([]);
  });

  it("stays exact when two transactions change one client's team at once", async () => {
    const admin = await makeUser(t.db, { role: "admin" });
    const [leaving, joining, other] = [await makeUser(t.db, { role: "staff" }), await makeUser(t.db, { role: "staff" }), await makeUser(t.db, { role: "staff" })];
    const client = await makeClient(t.db, admin.id, { accountManagerId: other.id });
    await t.db.clientTeamMember.create({ data: { clientId: client.id, userId: leaving.id } });
    const first = new pg.Client({ connectionString: t.url });
    const second = new pg.Client({ connectionString: t.url });
    await first.connect();
    await second.connect();
    try {
      await first.query("BEGIN");
      await first.query(`DELETE FROM client_team_members WHERE client_id = $1 AND user_id = $2`, [client.id, leaving.id]);
      await second.query("BEGIN");
      // Waits for the first transaction (its refresh locks the client), then refreshes from the team as it left it.
      const adding = second.query(`INSERT INTO client_team_members (client_id, user_id) VALUES ($1, $2)`, [client.id, joining.id]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await first.query("COMMIT");
      await adding;
      await second.query("COMMIT");
    } finally {
      await first.end();
      await second.end();
    }
    await expectKeptMatchesRows("concurrent team writers");
    expect((await rowsOf(`SELECT * FROM client_team_users WHERE client_id = '${client.id}'`)).map((r) => r.user_id).sort()).toEqual([joining.id, other.id].sort());
  });
});
