// The relationship team's dashboard: 404 for everyone else (whatever the role or flag), recent entries of visible
// clients only (no drafts), clients by priority and relationship status against a direct query, and attention over
// the last 12 weeks: the weekly counts table (kept by the job, rebuilt from communications history) and what each
// reader sees of it (restricted clients only for those who may see them).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { signedIn } from "../helpers/http.ts";
import { daysAgo, decodeHtml, makeClient } from "../clients/support.ts";
import { recentWeeks, runAttentionSnapshot, snapshotWeek } from "../../src/dashboard/attention-history.ts";

let t: TestApp;
type User = Awaited<ReturnType<typeof makeUser>>;
let admin: User, adminVc: User, staff: User, manager: User, legal: User, rel: User, relVc: User;

interface Fixture {
  id: string;
  name: string;
  restricted: boolean;
  team: string[];
  lastContactAt: Date | null;
  comms: Date[];
}
const fixtures: Fixture[] = [];
const DAY = 86_400_000;

async function add(name: string, opts: { restricted?: boolean; team?: User[]; last?: number | null; comms?: number[]; priority?: "strategic" | "high" | "low"; relationship?: "warm" | "cold" }) {
  const last = opts.last === undefined || opts.last === null ? null : daysAgo(opts.last);
  const c = await makeClient(t.db, admin.id, {
    name,
    isConfidential: opts.restricted ?? false,
    lastContactAt: last,
    createdAt: daysAgo(700),
    priority: opts.priority ?? null,
    relationshipStatus: opts.relationship ?? null,
    teamUserIds: (opts.team ?? []).map((u) => u.id),
  });
  const comms = (opts.comms ?? []).map((d) => new Date(daysAgo(d).getTime() + 10 * 3600_000));
  for (const at of comms) {
    await t.db.communication.create({ data: { clientId: c.id, type: "phone", occurredAt: at, subject: `Call with ${name}`, loggedById: admin.id } });
  }
  // A note is not a contact.
  await t.db.communication.create({ data: { clientId: c.id, type: "note", occurredAt: daysAgo(1), subject: "Internal note", loggedById: admin.id } });
  fixtures.push({ id: c.id, name, restricted: opts.restricted ?? false, team: (opts.team ?? []).map((u) => u.id), lastContactAt: last, comms: comms.map((d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()))) });
  return c;
}

const maySee = (user: User, f: Fixture) => !f.restricted || user.viewConfidential || f.team.includes(user.id);

/** The oracle for one day: a client's last contact as it stood then, and the attention that gives. */
function expectedOn(user: User, asOf: Date) {
  let urgent = 0;
  let warning = 0;
  for (const f of fixtures.filter((f) => maySee(user, f))) {
    const last = f.lastContactAt && f.lastContactAt <= asOf ? f.lastContactAt : f.comms.filter((d) => d <= asOf).sort((a, b) => b.getTime() - a.getTime())[0] ?? null;
    if (!last) continue;
    const days = (asOf.getTime() - last.getTime()) / DAY;
    if (days > 90) urgent += 1;
    else if (days > 60) warning += 1;
  }
  return { urgent, warning };
}

function weekRows(html: string): Map<string, { urgent: number; warning: number } | null> {
  const rows = new Map<string, { urgent: number; warning: number } | null>();
  for (const m of html.matchAll(/<tr data-week="([\d-]+)">([\s\S]*?)<\/tr>/g)) {
    const cells = [...m[2]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]!.trim());
    rows.set(m[1]!, cells.length === 4 ? { urgent: Number(cells[2]!.replace(/,/g, "")), warning: Number(cells[3]!.replace(/,/g, "")) } : null);
  }
  return rows;
}

beforeAll(async () => {
  t = await createTestApp();
  admin = await makeUser(t.db, { role: "admin" });
  adminVc = await makeUser(t.db, { role: "admin", viewConfidential: true });
  staff = await makeUser(t.db, { role: "staff" });
  manager = await makeUser(t.db, { role: "manager", department: "Tax" });
  legal = await makeUser(t.db, { role: "staff", legalTeam: true });
  rel = await makeUser(t.db, { role: "staff", relationshipTeam: true, name: "Rel Member" });
  relVc = await makeUser(t.db, { role: "manager", relationshipTeam: true, viewConfidential: true, name: "Rel Viewer" });

  await add("Alpha Open", { last: 30, comms: [200, 100, 30], priority: "strategic", relationship: "warm" });
  await add("Bravo Never", { priority: "high" });
  await add("Charlie Handkept", { last: 150, relationship: "cold" });
  await add("Delta Team Restricted", { restricted: true, team: [rel], last: 80, comms: [80], priority: "strategic" });
  await add("Echo Hidden Restricted", { restricted: true, last: 120, comms: [120, 40 + 120], priority: "low", relationship: "warm" });
  await add("Foxtrot Warning", { last: 65, comms: [65], priority: "high" });
  await add("Golf Recent", { last: 5, comms: [95, 5] });

  const meeting = await t.db.roundtableMeeting.create({ data: { meetingDate: daysAgo(3), createdById: rel.id } });
  const byName = (n: string) => fixtures.find((f) => f.name === n)!;
  for (const [name, saved] of [["Alpha Open", true], ["Delta Team Restricted", true], ["Echo Hidden Restricted", true], ["Foxtrot Warning", false]] as const) {
    await t.db.roundtableEntry.create({ data: { meetingId: meeting.id, clientId: byName(name).id, authorId: rel.id, nextSteps: `Steps for ${name}`, savedAt: saved ? new Date() : null } });
  }
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe("who may open the relationship dashboard", () => {
  it("is 404 for every role and flag outside the relationship team, and 200 for the team", async () => {
    for (const user of [staff, manager, admin, adminVc, legal]) {
      const res = await (await signedIn(t.app, user.email)).get("/dashboard/relationship");
      expect(res.status, user.role).toBe(404);
      expect(res.text).not.toContain("Alpha Open");
      const home = (await (await signedIn(t.app, user.email)).get("/")).text;
      expect(home).not.toContain('href="/dashboard/relationship"');
    }
    for (const user of [rel, relVc]) {
      const res = await (await signedIn(t.app, user.email)).get("/dashboard/relationship");
      expect(res.status).toBe(200);
      expect(res.text).toContain('href="/dashboard/relationship"');
    }
  });
});

describe("recent roundtable entries", () => {
  it("lists saved entries of clients the reader may see, never drafts", async () => {
    const html = (await (await signedIn(t.app, rel.email)).get("/dashboard/relationship")).text;
    const recent = decodeHtml(html.slice(html.indexOf('id="recent-entries"')));
    expect(recent).toContain("Steps for Alpha Open");
    expect(recent).toContain("Steps for Delta Team Restricted");
    expect(recent).not.toContain("Echo Hidden Restricted");
    expect(recent).not.toContain("Steps for Foxtrot Warning");
    const vc = decodeHtml((await (await signedIn(t.app, relVc.email)).get("/dashboard/relationship")).text);
    expect(vc).toContain("Steps for Echo Hidden Restricted");
    expect(vc).not.toContain("Steps for Foxtrot Warning");
  });
});

async function checkAssessment(user: User) {
  const html = (await (await signedIn(t.app, user.email)).get("/dashboard/relationship")).text;
  const visible = await t.db.client.findMany({ where: user.viewConfidential ? {} : { OR: [{ isConfidential: false }, { team: { some: { userId: user.id } } }, { accountManagerId: user.id }] } });
  const tableOf = (name: string) => html.slice(html.indexOf(`data-table="${name}"`), html.indexOf("</table>", html.indexOf(`data-table="${name}"`)));
  const cell = (name: string, value: string) => {
    const m = new RegExp(`data-value="${value}">[\\s\\S]*?</td><td>([\\d,]+)</td>`).exec(tableOf(name));
    if (!m) throw new Error(`no ${name} ${value}`);
    return Number(m[1]!.replace(/,/g, ""));
  };
  for (const p of ["strategic", "high", "medium", "low", "opportunistic"]) expect(cell("priority", p), p).toBe(visible.filter((c) => c.priority === p).length);
  expect(cell("priority", "none")).toBe(visible.filter((c) => c.priority === null).length);
  for (const r of ["active", "warm", "cold", "prospective"]) expect(cell("relationship", r), r).toBe(visible.filter((c) => c.relationshipStatus === r).length);
  expect(cell("relationship", "none")).toBe(visible.filter((c) => c.relationshipStatus === null).length);
  return html;
}

describe("clients by priority and relationship status", () => {
  it("match a direct query of the visible clients", async () => {
    for (const user of [rel, relVc]) await checkAssessment(user);
    // A sanity check of the fixture: the two readers differ by the hidden restricted client.
    const relHtml = (await (await signedIn(t.app, rel.email)).get("/dashboard/relationship")).text;
    expect(relHtml).toMatch(/data-value="low">[\s\S]*?<\/td><td>0<\/td>/);
  });
});

describe("attention over time", () => {
  it("shows the current week before the job has run, and the past weeks once it has rebuilt them from history", async () => {
    const agent = await signedIn(t.app, rel.email);
    const weeks = recentWeeks().map((w) => w.toISOString().slice(0, 10));
    const before = weekRows((await agent.get("/dashboard/relationship")).text);
    expect([...before.keys()]).toEqual(weeks);
    expect(before.get(weeks.at(-1)!)).toEqual(expectedOn(rel, daysAgo(0)));
    expect(before.get(weeks[0]!)).toBeNull();

    const run = await runAttentionSnapshot(t.db);
    expect(run.rebuilt).toEqual(weeks.slice(0, -1));
    expect((await runAttentionSnapshot(t.db)).rebuilt).toEqual([]);
    expect(await t.db.attentionWeeklyCount.count()).toBe(24);

    for (const user of [rel, relVc]) {
      const rows = weekRows((await (await signedIn(t.app, user.email)).get("/dashboard/relationship")).text);
      recentWeeks().forEach((week, i) => {
        const asOf = i === 11 ? daysAgo(0) : new Date(week.getTime() + 6 * DAY);
        expect(rows.get(week.toISOString().slice(0, 10)), `${user.name} week ${i}`).toEqual(expectedOn(user, asOf));
      });
    }
    // The fixture makes the weeks differ, and the readers differ by the hidden restricted client.
    const oldest = new Date(recentWeeks()[0]!.getTime() + 6 * DAY);
    expect(expectedOn(rel, oldest)).not.toEqual(expectedOn(rel, daysAgo(0)));
    expect(expectedOn(relVc, daysAgo(0)).urgent).toBe(expectedOn(rel, daysAgo(0)).urgent + 1);
    const html = (await agent.get("/dashboard/relationship")).text;
    expect(html).toContain('<svg class="chart" id="attention-chart"');
    expect(html.match(/<circle class="point series-danger"/g)).toHaveLength(12);
  });

  it("keeps each restricted client's state per week, adds a reader's team clients as their team changes, and survives two snapshots at once", async () => {
    await runAttentionSnapshot(t.db);
    const weeks = recentWeeks();
    const asOfOf = (i: number) => (i === 11 ? daysAgo(0) : new Date(weeks[i]!.getTime() + 6 * DAY));
    const stateOn = (f: Fixture, asOf: Date) => {
      const last = f.lastContactAt && f.lastContactAt <= asOf ? f.lastContactAt : f.comms.filter((d) => d <= asOf).sort((a, b) => b.getTime() - a.getTime())[0] ?? null;
      const days = last ? (asOf.getTime() - last.getTime()) / DAY : 0;
      return days > 90 ? "urgent" : days > 60 ? "warning" : null;
    };
    // The kept states are the oracle's, restricted clients only, urgent or warning only.
    const kept = await t.db.attentionWeeklyRestricted.findMany({ orderBy: [{ weekStart: "asc" }, { clientId: "asc" }] });
    const expected = weeks.flatMap((week, i) =>
      fixtures.filter((f) => f.restricted).flatMap((f) => {
        const state = stateOn(f, asOfOf(i));
        return state ? [{ clientId: f.id, weekStart: week.toISOString().slice(0, 10), urgent: state === "urgent" }] : [];
      }),
    );
    const key = (r: { weekStart: string; clientId: string }) => `${r.weekStart} ${r.clientId}`;
    expect(kept.map((r) => ({ clientId: r.clientId, weekStart: r.weekStart.toISOString().slice(0, 10), urgent: r.urgent })).sort((a, b) => key(a).localeCompare(key(b)))).toEqual(expected.sort((a, b) => key(a).localeCompare(key(b))));
    expect(kept.some((r) => r.urgent) && kept.some((r) => !r.urgent)).toBe(true);

    const check = async (user: User) => {
      const rows = weekRows((await (await signedIn(t.app, user.email)).get("/dashboard/relationship")).text);
      weeks.forEach((week, i) => expect(rows.get(week.toISOString().slice(0, 10)), `${user.name} week ${i}`).toEqual(expectedOn(user, asOfOf(i))));
    };
    // rel joins the hidden restricted client's team: counted in every past week at once; leaves: gone again.
    const echo = fixtures.find((f) => f.name === "Echo Hidden Restricted")!;
    await t.db.clientTeamMember.create({ data: { clientId: echo.id, userId: rel.id } });
    echo.team.push(rel.id);
    await check(rel);
    expect(expectedOn(rel, asOfOf(0)).urgent + expectedOn(rel, asOfOf(0)).warning).toBeGreaterThan(0);
    await t.db.clientTeamMember.delete({ where: { clientId_userId: { clientId: echo.id, userId: rel.id } } });
    echo.team.pop();
    await check(rel);

    // Two snapshots of the current week at once (the job and a request) both succeed and leave the same rows.
    const before = await t.db.attentionWeeklyRestricted.count();
    await Promise.all([snapshotWeek(t.db, weeks[11]!, daysAgo(0)), snapshotWeek(t.db, weeks[11]!, daysAgo(0))]);
    expect(await t.db.attentionWeeklyRestricted.count()).toBe(before);
    for (const user of [rel, relVc]) await check(user);

    // A restricted client contacted today leaves the current week's states when the week is taken again.
    const delta = fixtures.find((f) => f.name === "Delta Team Restricted")!;
    expect(stateOn(delta, daysAgo(0))).toBe("warning");
    await t.db.client.update({ where: { id: delta.id }, data: { lastContactAt: daysAgo(0) } });
    delta.lastContactAt = daysAgo(0);
    await runAttentionSnapshot(t.db);
    expect(await t.db.attentionWeeklyRestricted.count({ where: { clientId: delta.id, weekStart: weeks[11]! } })).toBe(0);
    for (const user of [rel, relVc]) await check(user);

    // Weeks older than the chart's are let go by the job (their counts stay).
    await runAttentionSnapshot(t.db, new Date(Date.now() + 7 * DAY));
    expect(await t.db.attentionWeeklyRestricted.count({ where: { weekStart: { lt: weeks[1]! } } })).toBe(0);
    expect(await t.db.attentionWeeklyCount.count({ where: { weekStart: weeks[0]! } })).toBe(2);
  });
});

describe("the trigger-kept counts", () => {
  it("follow clients as they are added, changed, restricted and deleted", async () => {
    const extra = await makeClient(t.db, admin.id, { name: "Kilo Extra", priority: "medium", relationshipStatus: "prospective" });
    for (const user of [rel, relVc]) await checkAssessment(user);
    await t.db.client.update({ where: { id: extra.id }, data: { priority: "opportunistic", relationshipStatus: null } });
    for (const user of [rel, relVc]) await checkAssessment(user);
    await t.db.client.update({ where: { id: extra.id }, data: { isConfidential: true } });
    for (const user of [rel, relVc]) await checkAssessment(user);
    await t.db.client.update({ where: { id: extra.id }, data: { accountManagerId: rel.id } });
    for (const user of [rel, relVc]) await checkAssessment(user);
    await t.db.client.delete({ where: { id: extra.id } });
    for (const user of [rel, relVc]) await checkAssessment(user);
    const sums = await t.db.clientAssessmentCount.aggregate({ _sum: { n: true } });
    expect(Number(sums._sum.n)).toBe(await t.db.client.count());
  });
});
