// The home dashboard's cards: each count equals a direct query of what that user may see (staff, manager, admin with
// and without "view confidential", relationship team), counts stop at the cap ("1,000+"), and each card links to a
// list that really filters that way (clients mine/all by attention, overdue follow-ups, cases I manage by status).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { signedIn } from "../helpers/http.ts";
import { daysAgo, decodeHtml, listedIds } from "../clients/support.ts";
import { makeCaseType, makeClient, openCase } from "../cases/support.ts";
import { DASHBOARD_COUNT_CAP } from "../../src/dashboard/selectors.ts";

let t: TestApp;
type User = Awaited<ReturnType<typeof makeUser>>;
type Client = Awaited<ReturnType<typeof makeClient>>;
let admin: User, adminVc: User, staff: User, manager: User, rel: User, relOther: User;
const clients: Client[] = [];
const teams = new Map<string, Set<string>>();
const caseIds: Record<string, string[]> = {};

const ATTN = ["urgent", "warning", "never"] as const;
type Attn = (typeof ATTN)[number];

function attentionOf(last: Date | null): Attn | "fine" {
  if (!last) return "never";
  const days = Math.round((daysAgo(0).getTime() - last.getTime()) / 86_400_000);
  return days > 90 ? "urgent" : days > 60 ? "warning" : "fine";
}

/** The oracle: the client rule in words (restricted clients for their team and view-confidential holders). */
function maySee(user: User, c: Client): boolean {
  return !c.isConfidential || user.viewConfidential || (teams.get(c.id)?.has(user.id) ?? false);
}

async function add(name: string, last: Date | null, restricted: boolean, team: { manager?: User; poc?: User; secondary?: User; members?: User[] }) {
  const c = await makeClient(t.db, admin.id, {
    name,
    lastContactAt: last,
    isConfidential: restricted,
    accountManagerId: team.manager?.id ?? null,
    primaryPocId: team.poc?.id ?? null,
    secondaryPocId: team.secondary?.id ?? null,
    teamUserIds: (team.members ?? []).map((u) => u.id),
  });
  clients.push(c);
  teams.set(c.id, new Set([team.manager, team.poc, team.secondary, ...(team.members ?? [])].filter((u): u is User => Boolean(u)).map((u) => u.id)));
  return c;
}

const text = (html: string) => decodeHtml(html.replace(/<[^>]+>/g, " ")).replace(/\s+/g, " ");
function countAt(html: string, hrefOrId: string): number {
  const escaped = hrefOrId.replace(/[?&.]/g, (ch) => (ch === "&" ? "&amp;" : `\\${ch}`));
  const m = new RegExp(`${escaped}"[^>]*><span class="stat-value">([\\d,+]+)</span>`).exec(html);
  if (!m) throw new Error(`no count at ${hrefOrId}`);
  return Number(m[1]!.replace(/[,+]/g, ""));
}
function statusCount(html: string, status: string): string {
  const m = new RegExp(`data-status="${status}">[^<]*<strong>([\\d,+]+)</strong>`).exec(html);
  if (!m) throw new Error(`no ${status} count`);
  return m[1]!;
}

beforeAll(async () => {
  t = await createTestApp();
  admin = await makeUser(t.db, { role: "admin", name: "Ada Admin" });
  adminVc = await makeUser(t.db, { role: "admin", viewConfidential: true, name: "Vic Admin" });
  staff = await makeUser(t.db, { role: "staff", name: "Sam Staff", department: "Tax" });
  manager = await makeUser(t.db, { role: "manager", name: "Mona Manager", department: "Tax" });
  rel = await makeUser(t.db, { role: "staff", relationshipTeam: true, name: "Rita Rel" });
  relOther = await makeUser(t.db, { role: "staff", relationshipTeam: true, name: "Rex Rel" });

  // Clients of every attention kind, open and restricted, with different teams.
  await add("Urgent mine open", daysAgo(120), false, { manager: staff });
  await add("Urgent mine restricted", daysAgo(200), true, { poc: staff });
  await add("Urgent other restricted", daysAgo(100), true, { manager: manager });
  await add("Urgent other open", daysAgo(95), false, {});
  await add("Warning member open", daysAgo(70), false, { members: [staff, rel] });
  await add("Warning restricted rel", daysAgo(75), true, { secondary: rel });
  await add("Warning open", daysAgo(80), false, { manager: manager });
  await add("Never open", null, false, { manager: rel });
  await add("Never restricted", null, true, {});
  await add("Never mine restricted", null, true, { members: [staff] });
  await add("Fine open", daysAgo(5), false, { manager: staff });
  await add("Fine restricted", daysAgo(10), true, { manager: staff });

  // Follow-ups: assigned to staff and to rel, open/overdue/done, on visible and hidden clients.
  const byName = (n: string) => clients.find((c) => c.name === n)!;
  const follow = (client: Client, subject: string, assignee: User, due: Date, done = false) =>
    t.db.communication.create({
      data: {
        clientId: client.id, type: "phone", occurredAt: new Date(), subject, loggedById: admin.id, followUpRequired: true,
        followUpDue: due, followUpAssigneeId: assignee.id, ...(done ? { followUpCompletedAt: new Date(), followUpCompletedById: assignee.id } : {}),
      },
    });
  await follow(byName("Urgent mine open"), "Staff overdue open client", staff, daysAgo(3));
  await follow(byName("Urgent mine restricted"), "Staff overdue restricted mine", staff, daysAgo(1));
  await follow(byName("Urgent mine open"), "Staff due later", staff, daysAgo(-10));
  await follow(byName("Urgent mine open"), "Staff done already", staff, daysAgo(5), true);
  await follow(byName("Never restricted"), "Staff hidden client follow-up", staff, daysAgo(2));
  await follow(byName("Never open"), "Rel due later", rel, daysAgo(-3));

  // Roundtable action items for the relationship team, on visible and hidden clients.
  const meeting = await t.db.roundtableMeeting.create({ data: { meetingDate: daysAgo(7), createdById: rel.id } });
  const entryOn = (client: Client) => t.db.roundtableEntry.create({ data: { meetingId: meeting.id, clientId: client.id, authorId: rel.id, savedAt: new Date(), nextSteps: `Next for ${client.name}` } });
  const e1 = await entryOn(byName("Warning restricted rel"));
  const e2 = await entryOn(byName("Never open"));
  const e3 = await entryOn(byName("Never restricted"));
  const item = (entryId: string, clientId: string, description: string, assignee: User, due: Date, done = false) =>
    t.db.roundtableActionItem.create({ data: { entryId, clientId, description, assigneeId: assignee.id, dueDate: due, ...(done ? { completedAt: new Date(), completedById: assignee.id } : {}) } });
  await item(e1.id, e1.clientId, "Rel overdue on restricted", rel, daysAgo(2));
  await item(e2.id, e2.clientId, "Rel later", rel, daysAgo(-5));
  await item(e2.id, e2.clientId, "Rel done", rel, daysAgo(9), true);
  await item(e3.id, e3.clientId, "Rel hidden client item", rel, daysAgo(4));
  await item(e2.id, e2.clientId, "Other's item", relOther, daysAgo(4));

  // Cases managed by the manager and by staff, in several statuses; one on a restricted client staff cannot see.
  const { type } = await makeCaseType(t.db);
  const open = async (who: User, client: Client, title: string, status?: "assigned" | "on_hold" | "closed") => {
    const k = await openCase(t.db, adminVc, { clientId: client.id, typeId: type.id, managerId: who.id, title });
    if (status) await t.db.case.update({ where: { id: k.id }, data: { status } });
    (caseIds[`${who.id}:${status ?? "new"}`] ??= []).push(k.id);
    return k;
  };
  await open(manager, byName("Warning open"), "Manager new one");
  await open(manager, byName("Warning open"), "Manager assigned one", "assigned");
  await open(manager, byName("Urgent other restricted"), "Manager assigned restricted (own team)", "assigned");
  await open(manager, byName("Urgent other open"), "Manager on hold", "on_hold");
  await open(staff, byName("Urgent mine open"), "Staff new");
  await open(staff, byName("Never restricted"), "Staff on a client hidden from them", "assigned");
  await open(staff, byName("Fine open"), "Staff closed", "closed");
}, 120_000);
afterAll(async () => {
  await t?.close();
});

/** Direct queries: what each card should say for `user`. */
async function expected(user: User) {
  const visible = clients.filter((c) => maySee(user, c));
  const mine = visible.filter((c) => teams.get(c.id)!.has(user.id));
  const by = (list: Client[], a: Attn) => list.filter((c) => attentionOf(c.lastContactAt) === a).length;
  const visibleIds = new Set(visible.map((c) => c.id));
  const today = daysAgo(0);
  const comms = await t.db.communication.findMany({ where: { followUpAssigneeId: user.id, followUpRequired: true, followUpCompletedAt: null, deletedAt: null } });
  const seen = comms.filter((m) => visibleIds.has(m.clientId));
  const items = user.relationshipTeam ? await t.db.roundtableActionItem.findMany({ where: { assigneeId: user.id, completedAt: null } }) : [];
  const seenItems = items.filter((i) => visibleIds.has(i.clientId));
  const cases = await t.db.case.findMany({ where: { managerId: user.id, deletedAt: null } });
  const statuses: Record<string, number> = {};
  for (const k of cases.filter((k) => visibleIds.has(k.clientId))) statuses[k.status] = (statuses[k.status] ?? 0) + 1;
  return {
    all: Object.fromEntries(ATTN.map((a) => [a, by(visible, a)])),
    mine: Object.fromEntries(ATTN.map((a) => [a, by(mine, a)])),
    followUps: { open: seen.length, overdue: seen.filter((m) => m.followUpDue! < today).length },
    items: { open: seenItems.length, overdue: seenItems.filter((i) => i.dueDate < today).length },
    statuses,
  };
}

describe("the dashboard's counts", () => {
  const who = () => ({ staff, manager, admin, "admin with view-confidential": adminVc, "relationship team": rel });
  for (const name of ["staff", "manager", "admin", "admin with view-confidential", "relationship team"] as const) {
    it(`match a direct query for ${name}`, async () => {
      const user = who()[name];
      const want = await expected(user);
      const html = (await (await signedIn(t.app, user.email)).get("/")).text;
      for (const a of ATTN) {
        expect(countAt(html, `href="/clients?attention=${a}`), `${a} (all)`).toBe(want.all[a]);
        expect(countAt(html, `href="/clients?attention=${a}&mine=1`), `${a} (mine)`).toBe(want.mine[a]);
      }
      expect(countAt(html, `id="card-follow-ups-open`)).toBe(want.followUps.open);
      expect(countAt(html, `id="card-follow-ups-overdue`)).toBe(want.followUps.overdue);
      if (user.relationshipTeam) {
        expect(countAt(html, `id="card-action-items`)).toBe(want.items.open);
        expect(text(html)).toContain(`(${want.items.overdue} overdue)`);
      } else {
        expect(html).not.toContain("card-action-items");
        expect(html).not.toContain("roundtable action item");
      }
      for (const status of ["new", "assigned", "in_progress", "on_hold", "resolved", "closed", "reopened"]) {
        expect(statusCount(html, status), status).toBe(String(want.statuses[status] ?? 0));
      }
      // Nothing of a hidden client leaks through the lists below the cards.
      for (const c of clients.filter((c) => !maySee(user, c))) expect(html).not.toContain(c.name);
    });
  }

  it("sanity: the fixture gives the users different numbers", async () => {
    const s = await expected(staff);
    const a = await expected(admin);
    const v = await expected(adminVc);
    expect(s.mine).toEqual({ urgent: 2, warning: 1, never: 1 });
    expect(s.followUps).toEqual({ open: 3, overdue: 2 });
    expect(v.all.never).toBe(3);
    expect(a.all.never).toBe(1);
    expect((await expected(rel)).items).toEqual({ open: 2, overdue: 1 });
    expect((await expected(manager)).statuses).toEqual({ new: 1, assigned: 2, on_hold: 1 });
    expect(s.statuses).toEqual({ new: 1, closed: 1 });
  });
});

describe("the lists the cards link to", () => {
  it("clients by attention, mine and all, show exactly the counted clients", async () => {
    const agent = await signedIn(t.app, staff.email);
    for (const a of ATTN) {
      for (const mine of [false, true]) {
        const html = (await agent.get(`/clients?attention=${a}${mine ? "&mine=1" : ""}&perPage=100`)).text;
        const want = clients.filter((c) => maySee(staff, c) && attentionOf(c.lastContactAt) === a && (!mine || teams.get(c.id)!.has(staff.id)));
        expect(new Set(listedIds(html)), `${a} mine=${mine}`).toEqual(new Set(want.map((c) => c.id)));
      }
    }
    // The filter is kept in the form.
    expect((await agent.get("/clients?mine=1")).text).toMatch(/name="mine" value="1" checked/);
  });

  it("the overdue follow-ups page lists only overdue ones I may see", async () => {
    const agent = await signedIn(t.app, staff.email);
    const overdue = text((await agent.get("/communications/follow-ups?show=overdue")).text);
    expect(overdue).toContain("Staff overdue open client");
    expect(overdue).toContain("Staff overdue restricted mine");
    expect(overdue).not.toContain("Staff due later");
    expect(overdue).not.toContain("Staff done already");
    expect(overdue).not.toContain("Staff hidden client follow-up");
    const all = text((await agent.get("/communications/follow-ups")).text);
    expect(all).toContain("Staff due later");
    expect(all).not.toContain("Staff hidden client follow-up");
  });

  it("cases I manage by status link to the case list filtered by manager and status", async () => {
    const agent = await signedIn(t.app, manager.email);
    const html = (await agent.get("/")).text;
    expect(html).toContain(`href="/cases?manager=${manager.id}&amp;status=assigned"`);
    const list = (await agent.get(`/cases?manager=${manager.id}&status=assigned`)).text;
    const ids = [...list.matchAll(/<td class="nowrap"><a href="\/cases\/([0-9a-f-]{36})">/g)].map((m) => m[1]);
    expect(new Set(ids)).toEqual(new Set(caseIds[`${manager.id}:assigned`]));
  });
});

describe("the cap", () => {
  it("counts exactly up to the cap and says 1,000+ beyond it", async () => {
    const agent = await signedIn(t.app, adminVc.email);
    const before = countAt((await agent.get("/")).text, `href="/clients?attention=never`);
    const toAdd = DASHBOARD_COUNT_CAP - before;
    await t.db.$executeRaw`INSERT INTO clients (id, client_code, name, client_type, created_by_id, updated_at)
      SELECT gen_random_uuid(), 'CLT-1998-' || lpad(g::text, 5, '0'), 'Capped client ' || g, 'organization', ${admin.id}::uuid, now()
      FROM generate_series(1, ${toAdd}::int) g`;
    const atCap = (await agent.get("/")).text;
    expect(atCap).toMatch(/href="\/clients\?attention=never"><span class="stat-value">1,000<\/span>/);
    await t.db.$executeRaw`INSERT INTO clients (id, client_code, name, client_type, created_by_id, updated_at)
      VALUES (gen_random_uuid(), 'CLT-1998-99999', 'One past the cap', 'organization', ${admin.id}::uuid, now())`;
    const past = (await agent.get("/")).text;
    expect(past).toMatch(/href="\/clients\?attention=never"><span class="stat-value">1,000\+<\/span>/);
  });
});
