import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { signedIn, type Agent } from "../helpers/http.ts";
import { decodeHtml } from "../clients/support.ts";
import { makeCaseType, makeClient, openCase } from "./support.ts";
import { boardColumn, bulkCases, card, cardIds, moveOptions, pressMove } from "./list-support.ts";
import { CASE_STATUSES } from "../../src/cases/schemas.ts";
import { TRANSITIONS } from "../../src/cases/status.ts";
import type { CaseStatus } from "../../src/generated/prisma/enums.ts";

let t: TestApp;
type User = Awaited<ReturnType<typeof makeUser>>;
let admin: User, staff: User, legal: User, other: User;
const byStatus = new Map<CaseStatus, string>();
let hiddenCase: string, legalCase: string, staffCase: string, openClientId: string, legalTypeId: string;
const agents = new Map<string, Agent>();
const page = async (user: User, url: string) => {
  if (!agents.has(user.id)) agents.set(user.id, await signedIn(t.app, user.email));
  const res = await agents.get(user.id)!.get(url);
  expect(res.status).toBe(200);
  return res.text;
};

beforeAll(async () => {
  t = await createTestApp();
  admin = await makeUser(t.db, { role: "admin", viewConfidential: true, name: "Ada Admin" });
  staff = await makeUser(t.db, { role: "staff", name: "Sid Staff" });
  legal = await makeUser(t.db, { role: "staff", legalTeam: true, name: "Lee Legal" });
  other = await makeUser(t.db, { role: "staff", name: "Oto Other" });
  const open = await makeClient(t.db, admin.id, { name: "Open Orchards" });
  const restricted = await makeClient(t.db, admin.id, { name: "Quiet Quarry", isConfidential: true });
  const { type } = await makeCaseType(t.db, { name: "General" });
  const { type: legalType } = await makeCaseType(t.db, { name: "Regulated", requiresLegalReview: true });
  for (const status of CASE_STATUSES) {
    const k = await openCase(t.db, admin, { clientId: open.id, typeId: type.id, managerId: admin.id, title: `Matter in ${status}`, priority: status === "closed" ? "critical" : "medium" });
    await t.db.case.update({ where: { id: k.id }, data: { status } });
    byStatus.set(status, k.id);
  }
  staffCase = (await openCase(t.db, admin, { clientId: open.id, typeId: type.id, managerId: staff.id, title: "Staff own matter" })).id;
  hiddenCase = (await openCase(t.db, admin, { clientId: restricted.id, typeId: type.id, managerId: staff.id, title: "Quiet matter" })).id;
  legalCase = (await openCase(t.db, admin, { clientId: open.id, typeId: legalType.id, managerId: admin.id, title: "Regulated matter" })).id;
  openClientId = open.id;
  legalTypeId = legalType.id;
});
afterAll(async () => t.close());

describe("the case board", () => {
  it("shows one column per status in the workflow's order, each with its count", async () => {
    const html = await page(admin, "/cases/board");
    const order = [...html.matchAll(/<section class="board-column" data-status="([a-z_]+)"/g)].map((m) => m[1]);
    expect(order).toEqual(Object.keys(TRANSITIONS));
    expect(boardColumn(html, "in_progress")).toContain("In progress");
    // new: one per status, the staff member's case, the hidden one (the admin may view confidential), the regulated one.
    expect(/data-count>([^<]+)</.exec(boardColumn(html, "new"))![1]).toBe("4");
    expect(/data-count>([^<]+)</.exec(boardColumn(html, "on_hold"))![1]).toBe("1");
    expect(cardIds(boardColumn(html, "resolved"))).toEqual([byStatus.get("resolved")]);
    expect(html).toContain('<script src="/public/js/board.js" defer></script>');
  });

  it("offers on each card only the statuses the case may move to next", async () => {
    const html = await page(admin, "/cases/board");
    for (const status of CASE_STATUSES) {
      const id = byStatus.get(status)!;
      const c = card(html, id);
      expect(moveOptions(c)).toEqual([...TRANSITIONS[status]]);
    }
    // A closed case can still be reopened, and nothing else.
    expect(moveOptions(card(html, byStatus.get("closed")!))).toEqual(["reopened"]);
  });

  it("posts a card's move to the case's status action with the status shown and the way back to the board", async () => {
    const html = await page(admin, "/cases/board?priority=medium");
    const id = byStatus.get("assigned")!;
    for (const to of TRANSITIONS.assigned) {
      const { action, fields } = pressMove(html, id, to);
      expect(action).toBe(`/cases/${id}/status`);
      expect(fields).toMatchObject({ from: "assigned", to, returnTo: "/cases/board?priority=medium" });
      expect(fields._csrf).toBeTruthy();
    }
    // Each button says which case it moves where, for a screen reader too.
    expect(decodeHtml(card(html, id))).toMatch(/role="group" aria-label="Move CASE-\d{4}-\d{6} to"/);
  });

  it("hides the cases the user may not see, and shows staff their own", async () => {
    const html = await page(staff, "/cases/board");
    const all = CASE_STATUSES.flatMap((s) => cardIds(boardColumn(html, s)));
    expect(all).toEqual([staffCase]);
    expect(html).not.toContain("Quiet matter");
    expect(html).not.toContain("Quiet Quarry");
    expect(/data-count>([^<]+)</.exec(boardColumn(html, "new"))![1]).toBe("1");
    expect(moveOptions(card(html, staffCase))).toEqual([...TRANSITIONS.new]);
  });

  it("shows a card without a move form to someone who sees the case but may not change its status", async () => {
    const html = await page(legal, "/cases/board");
    const all = CASE_STATUSES.flatMap((s) => cardIds(boardColumn(html, s)));
    expect(all).toEqual([legalCase]);
    const c = card(html, legalCase);
    expect(c).toContain("Regulated matter");
    expect(c).not.toContain("<button");
    expect(c).not.toContain('draggable="true"');
    // With no card to move, the column has no move form either.
    expect(boardColumn(html, "new")).not.toContain("<form");
  });

  it("offers the moves to a reader of more than their own cases on a card whose team they are on", async () => {
    // The legal team's board is read through the rule (not from their own cases): being on the team is what lets
    // this staff member move the case.
    const onTeam = await openCase(t.db, admin, { clientId: openClientId, typeId: legalTypeId, managerId: admin.id, title: "Regulated team matter" });
    await t.db.caseTeamMember.create({ data: { caseId: onTeam.id, userId: legal.id, role: "associate" } });
    try {
      const html = await page(legal, "/cases/board");
      expect(moveOptions(card(html, onTeam.id))).toEqual([...TRANSITIONS.new]);
      expect(card(html, legalCase)).not.toContain("<button");
    } finally {
      await t.db.caseTeamMember.deleteMany({ where: { caseId: onTeam.id } });
      await t.db.case.update({ where: { id: onTeam.id }, data: { deletedAt: new Date(), deletedById: admin.id } });
    }
  });

  it("applies the list's filters except status, and is also reached as /cases?view=board", async () => {
    const html = await page(admin, "/cases/board?priority=critical&status=new");
    const all = CASE_STATUSES.flatMap((s) => cardIds(boardColumn(html, s)));
    expect(all).toEqual([byStatus.get("closed")]);
    const same = await page(admin, "/cases?view=board&priority=critical");
    expect(CASE_STATUSES.flatMap((s) => cardIds(boardColumn(same, s)))).toEqual([byStatus.get("closed")]);
    expect(decodeHtml(same)).toContain('href="/cases?priority=critical">List view</a>');
  });

  it("shows the 25 most recently updated cards of a column and links to the rest in the list", async () => {
    const client = await makeClient(t.db, admin.id, { name: "Busy Bees" });
    const { type } = await makeCaseType(t.db, { name: "Bulk" });
    const bulk = await bulkCases(t.db, 30, { clientId: client.id, typeId: type.id, managerId: other.id, createdById: admin.id });
    const html = await page(other, `/cases/board?client=${client.id}`);
    const column = boardColumn(html, "new");
    expect(cardIds(column)).toEqual(bulk.slice(0, 25).map((k) => k.id));
    expect(/data-count>([^<]+)</.exec(column)![1]).toBe("30");
    expect(decodeHtml(column)).toContain(`<a href="/cases?client=${client.id}&status=new">more…</a>`);
    expect(decodeHtml(html)).toContain("Client: Busy Bees");
    expect(boardColumn(html, "assigned")).toContain("No cases");
    expect(boardColumn(html, "assigned")).not.toContain("more…");
  });

  it("moves a card with its form and comes back to the same board with a message", async () => {
    const client = await makeClient(t.db, admin.id, { name: "Moving Mills" });
    const { type } = await makeCaseType(t.db, { name: "Moves" });
    const k = await openCase(t.db, admin, { clientId: client.id, typeId: type.id, managerId: staff.id, title: "Matter to move", priority: "high" });
    const board = `/cases/board?priority=high`;
    const html = await page(staff, board);
    const { action, fields } = pressMove(html, k.id, "in_progress");
    const agent = agents.get(staff.id)!;
    const res = await agent.post(action).type("form").send(fields);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(board);
    expect((await t.db.case.findUniqueOrThrow({ where: { id: k.id } })).status).toBe("in_progress");
    const after = await page(staff, board);
    expect(after).toContain("Case moved to In progress.");
    expect(cardIds(boardColumn(after, "in_progress"))).toContain(k.id);
    expect(cardIds(boardColumn(after, "new"))).not.toContain(k.id);
    expect(moveOptions(card(after, k.id))).toEqual([...TRANSITIONS.in_progress]);
  });

  it("refuses a move the case may not make and says where it may go, back on the board", async () => {
    const client = await makeClient(t.db, admin.id, { name: "Refusing Rivers" });
    const { type } = await makeCaseType(t.db, { name: "Refusals" });
    const k = await openCase(t.db, admin, { clientId: client.id, typeId: type.id, managerId: staff.id, title: "Matter not to move" });
    const html = await page(staff, "/cases/board");
    // No button offers it; posted by hand (as from a stale page), it is refused.
    expect(moveOptions(card(html, k.id))).not.toContain("reopened");
    const { action, fields } = pressMove(html, k.id, "in_progress");
    const res = await agents.get(staff.id)!.post(action).type("form").send({ ...fields, to: "reopened" });
    expect(res.headers.location).toBe("/cases/board");
    expect((await t.db.case.findUniqueOrThrow({ where: { id: k.id } })).status).toBe("new");
    const after = decodeHtml(await page(staff, "/cases/board"));
    expect(after).toContain("From New it can move to Assigned, In progress, On hold or Closed");
  });
});
