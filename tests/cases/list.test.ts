import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { signedIn, type Agent } from "../helpers/http.ts";
import { decodeHtml, mainContent } from "../clients/support.ts";
import { makeCaseType, makeClient, openCase } from "./support.ts";
import { bulkCases, listedCaseIds, pagerLinks, resultCount, statusTab } from "./list-support.ts";

let t: TestApp;
type User = Awaited<ReturnType<typeof makeUser>>;
type Kase = Awaited<ReturnType<typeof openCase>>;
let admin: User, mgrTax: User, staffTax: User, staffAudit: User, newcomer: User;
let harbor: { id: string }, secretive: { id: string }, northwind: { id: string };
let typeA: { id: string }, typeB: { id: string };
let k1: Kase, k2: Kase, k3: Kase, k4: Kase, k5: Kase;
const agents = new Map<string, Agent>();
const as = async (user: User) => {
  if (!agents.has(user.id)) agents.set(user.id, await signedIn(t.app, user.email));
  return agents.get(user.id)!;
};
const page = async (user: User, url: string) => {
  const res = await (await as(user)).get(url);
  expect(res.status).toBe(200);
  return res.text;
};

beforeAll(async () => {
  t = await createTestApp();
  admin = await makeUser(t.db, { role: "admin", viewConfidential: true, name: "Ada Admin" });
  mgrTax = await makeUser(t.db, { role: "manager", department: "Tax", name: "Mia Taxmanager" });
  staffTax = await makeUser(t.db, { role: "staff", department: "Tax", name: "Sam Taxstaff" });
  staffAudit = await makeUser(t.db, { role: "staff", department: "Audit", name: "Ola Auditstaff" });
  newcomer = await makeUser(t.db, { role: "staff", department: "Audit", name: "Nia Newcomer" });
  harbor = await makeClient(t.db, admin.id, { name: "Harbor Holdings" });
  secretive = await makeClient(t.db, admin.id, { name: "Secretive Ltd", isConfidential: true, teamUserIds: [staffTax.id] });
  northwind = await makeClient(t.db, admin.id, { name: "Northwind Traders" });
  typeA = (await makeCaseType(t.db, { name: "Litigation matters" })).type;
  typeB = (await makeCaseType(t.db, { name: "Advisory work" })).type;
  k1 = await openCase(t.db, admin, { clientId: harbor.id, typeId: typeA.id, managerId: staffTax.id, title: "Harbor merger review", priority: "high", nextReviewDate: "2020-01-15" });
  k2 = await openCase(t.db, admin, { clientId: harbor.id, typeId: typeB.id, managerId: staffAudit.id, title: "Audit of pension scheme", priority: "low" });
  k3 = await openCase(t.db, admin, { clientId: secretive.id, typeId: typeA.id, managerId: staffAudit.id, title: "Secret restructuring" });
  k4 = await openCase(t.db, admin, { clientId: northwind.id, typeId: typeA.id, managerId: mgrTax.id, title: "Northwind tax appeal", priority: "critical", nextReviewDate: "2020-02-01" });
  k5 = await openCase(t.db, admin, { clientId: northwind.id, typeId: typeA.id, managerId: staffAudit.id, title: "Northwind contract" });
  await t.db.case.update({ where: { id: k4.id }, data: { status: "closed" } });
  await t.db.caseTeamMember.create({ data: { caseId: k5.id, userId: staffTax.id, role: "associate" } });
});
afterAll(async () => t.close());

describe("who sees which cases", () => {
  it("shows an administrator with view-confidential every case, with its number, client, status, type and manager", async () => {
    const html = await page(admin, "/cases");
    expect(listedCaseIds(html).sort()).toEqual([k1.id, k2.id, k3.id, k4.id, k5.id].sort());
    expect(html).toContain(`<a href="/cases/${k1.id}">${k1.caseNumber}</a>`);
    expect(html).toContain(`<a href="/clients/${harbor.id}">Harbor Holdings</a>`);
    expect(html).toContain('<span class="badge case-status case-status-closed">Closed</span>');
    expect(html).toContain("Litigation matters");
    expect(html).toContain("Mia Taxmanager");
    expect(resultCount(html)).toBe("5 cases.");
  });

  it("shows staff only the cases they manage or are on the team of", async () => {
    const html = await page(staffTax, "/cases");
    expect(listedCaseIds(html).sort()).toEqual([k1.id, k5.id].sort());
    expect(html).not.toContain("Secret restructuring");
    expect(html).not.toContain("Audit of pension scheme");
  });

  it("hides a case of a restricted client from its own manager when they are not on the client's team", async () => {
    const html = await page(staffAudit, "/cases");
    expect(listedCaseIds(html).sort()).toEqual([k2.id, k5.id].sort());
    expect(html).not.toContain("Secret restructuring");
    // Search by its number finds nothing either, and the counts leave it out.
    const search = await page(staffAudit, `/cases?q=${k3.caseNumber}`);
    expect(listedCaseIds(search)).toEqual([]);
    expect(search).toContain("No cases match");
    expect(statusTab(html, "new")).toBe("2");
  });

  it("shows a manager the cases managed by people of their department", async () => {
    const html = await page(mgrTax, "/cases");
    expect(listedCaseIds(html).sort()).toEqual([k1.id, k4.id].sort());
  });

  it("never shows a restricted client's name in the client chip to someone who may not see it", async () => {
    const html = await page(staffAudit, `/cases?client=${secretive.id}`);
    expect(html).not.toContain("Secretive Ltd");
    expect(html).toContain("Client: Unknown client");
    expect(listedCaseIds(html)).toEqual([]);
  });
});

describe("searching", () => {
  it("finds a case by its number", async () => {
    expect(listedCaseIds(await page(admin, `/cases?q=${k1.caseNumber}`))).toEqual([k1.id]);
    expect(listedCaseIds(await page(admin, `/cases?q=${k1.caseNumber.toLowerCase()}`))).toEqual([k1.id]);
  });

  it("finds a case by a fragment of its number, for a reader of every case and for its own manager", async () => {
    // The numbers are CASE-YYYY-NNNNNN: digits and dashes are looked for in them, other text only in titles and clients.
    const fragment = k1.caseNumber.slice(-8); // "-0000NN" with the year's last digit
    for (const reader of [admin, staffTax]) {
      expect(listedCaseIds(await page(reader, `/cases?q=${fragment}`)), reader.name).toContain(k1.id);
      expect(listedCaseIds(await page(reader, `/cases?q=${k1.caseNumber.slice(0, 9).toLowerCase()}`)), reader.name).toContain(k1.id);
      expect(listedCaseIds(await page(reader, `/cases?q=${k1.caseNumber.slice(-6)}`)), reader.name).toEqual([k1.id]);
    }
  });

  it("finds cases by a fragment of the title, in any case", async () => {
    expect(listedCaseIds(await page(admin, "/cases?q=MERGER"))).toEqual([k1.id]);
    expect(listedCaseIds(await page(admin, "/cases?q=pension+sch"))).toEqual([k2.id]);
  });

  it("finds cases by their client's name", async () => {
    const html = await page(admin, "/cases?q=northwind+trad");
    expect(listedCaseIds(html).sort()).toEqual([k4.id, k5.id].sort());
    expect(resultCount(html)).toBe("2 cases match these filters.");
  });

  it("lists a case its title and its client's name both match once, and counts it once", async () => {
    // k1 ("Harbor merger review") matches by title and by client (Harbor Holdings); k2 by client only.
    const html = await page(admin, "/cases?q=harbor");
    expect(listedCaseIds(html).sort()).toEqual([k1.id, k2.id].sort());
    expect(resultCount(html)).toBe("2 cases match these filters.");
  });

  it("treats % and _ in the search as plain characters", async () => {
    expect(listedCaseIds(await page(admin, "/cases?q=%25"))).toEqual([]);
    expect(listedCaseIds(await page(admin, "/cases?q=_"))).toEqual([]);
  });
});

describe("filters", () => {
  it("filters by status", async () => {
    expect(listedCaseIds(await page(admin, "/cases?status=closed"))).toEqual([k4.id]);
    expect(listedCaseIds(await page(admin, "/cases?status=new")).sort()).toEqual([k1.id, k2.id, k3.id, k5.id].sort());
  });

  it("filters by priority", async () => {
    expect(listedCaseIds(await page(admin, "/cases?priority=critical"))).toEqual([k4.id]);
    expect(listedCaseIds(await page(admin, "/cases?priority=low"))).toEqual([k2.id]);
  });

  it("filters by case type, offering the case types in a select", async () => {
    const html = await page(admin, `/cases?type=${typeB.id}`);
    expect(listedCaseIds(html)).toEqual([k2.id]);
    expect(html).toContain(`<option value="${typeB.id}" selected>Advisory work</option>`);
  });

  it("filters by case manager, offering the active users", async () => {
    const html = await page(admin, `/cases?manager=${staffAudit.id}`);
    expect(listedCaseIds(html).sort()).toEqual([k2.id, k3.id, k5.id].sort());
    expect(html).toContain(`<option value="${staffAudit.id}" selected>Ola Auditstaff</option>`);
  });

  it("filters by client, showing the client's name as a chip that removes the filter", async () => {
    const html = await page(admin, `/cases?client=${northwind.id}&priority=critical`);
    expect(listedCaseIds(html)).toEqual([k4.id]);
    expect(decodeHtml(html)).toContain("Client: Northwind Traders");
    // The filter form keeps the client; the chip's link drops only the client.
    expect(html).toContain(`<input type="hidden" name="client" value="${northwind.id}">`);
    const remove = decodeHtml(/href="([^"]*)" aria-label="Remove the client filter"/.exec(html)![1]!);
    expect(remove).toBe("/cases?priority=critical");
  });

  it("filters overdue reviews: a past review date on a case that is not resolved or closed", async () => {
    const html = await page(admin, "/cases?overdue=1");
    expect(listedCaseIds(html)).toEqual([k1.id]);
    // The closed case with a past review date is not overdue, and is not marked so in the list.
    const all = await page(admin, "/cases?sort=title&dir=asc");
    const row = (id: string) => all.slice(all.indexOf(`data-case-row="${id}"`), all.indexOf("</tr>", all.indexOf(`data-case-row="${id}"`)));
    expect(row(k1.id)).toContain("Overdue");
    expect(row(k4.id)).not.toContain("Overdue");
    expect(row(k4.id)).toContain("1 Feb 2020");
  });

  it("ignores filter values that are not valid instead of failing", async () => {
    const html = await page(admin, "/cases?status=bogus&priority=urgent&type=not-a-uuid&sort=nonsense&page=-3");
    expect(listedCaseIds(html)).toHaveLength(5);
  });
});

describe("sorting", () => {
  it("sorts by title both ways, with sort links in the column headers", async () => {
    const asc = await page(admin, "/cases?sort=title&dir=asc");
    expect(listedCaseIds(asc)).toEqual([k2.id, k1.id, k5.id, k4.id, k3.id]);
    expect(asc).toContain('aria-sort="ascending"');
    expect(decodeHtml(asc)).toContain('href="?sort=title&dir=desc"');
    const desc = await page(admin, "/cases?sort=title&dir=desc");
    expect(listedCaseIds(desc)).toEqual([k3.id, k4.id, k5.id, k1.id, k2.id]);
  });

  it("sorts by case number, client, priority and review date", async () => {
    expect(listedCaseIds(await page(admin, "/cases?sort=number&dir=asc"))).toEqual([k1.id, k2.id, k3.id, k4.id, k5.id]);
    const byClient = listedCaseIds(await page(admin, "/cases?sort=client&dir=asc"));
    expect(byClient.slice(0, 2).sort()).toEqual([k1.id, k2.id].sort());
    expect(byClient[4]).toBe(k3.id);
    const byPriority = listedCaseIds(await page(admin, "/cases?sort=priority&dir=desc"));
    expect(byPriority[0]).toBe(k4.id);
    expect(byPriority[1]).toBe(k1.id);
    expect(byPriority[4]).toBe(k2.id);
    // Soonest review first; cases without a review date come last either way.
    const byReview = listedCaseIds(await page(admin, "/cases?sort=review&dir=asc"));
    expect(byReview.slice(0, 2)).toEqual([k1.id, k4.id]);
    const byReviewDesc = listedCaseIds(await page(admin, "/cases?sort=review&dir=desc"));
    expect(byReviewDesc.slice(0, 2)).toEqual([k4.id, k1.id]);
  });

  it("shows the most recently updated cases first by default", async () => {
    await t.db.case.update({ where: { id: k2.id }, data: { summary: "touched" } });
    const ids = listedCaseIds(await page(admin, "/cases"));
    expect(ids[0]).toBe(k2.id);
  });
});

describe("counts by status", () => {
  it("counts the visible cases per status, respecting the other filters", async () => {
    const html = await page(admin, "/cases");
    expect(statusTab(html, "new")).toBe("4");
    expect(statusTab(html, "closed")).toBe("1");
    expect(statusTab(html, "in_progress")).toBe("0");
    const filtered = await page(admin, "/cases?q=northwind&status=new");
    expect(statusTab(filtered, "new")).toBe("1");
    expect(statusTab(filtered, "closed")).toBe("1");
    expect(resultCount(filtered)).toBe("1 case matches these filters.");
    // The "Closed" tab keeps the search and drops nothing else.
    expect(decodeHtml(filtered)).toContain('href="/cases?q=northwind&status=closed"');
  });

  it("counts only what the user may see", async () => {
    const html = await page(staffTax, "/cases");
    expect(statusTab(html, "new")).toBe("2");
    expect(statusTab(html, "closed")).toBe("0");
  });
});

describe("empty states", () => {
  it("tells someone without cases that none exist yet and offers to open one", async () => {
    const html = await page(newcomer, "/cases");
    expect(mainContent(html)).toContain("No cases yet");
    expect(html).toContain('<a class="button" href="/cases/new">Open a case</a>');
    expect(html).toContain('<a class="button primary" href="/cases/new">New case</a>');
    expect(resultCount(html)).toBe("0 cases.");
  });

  it("says when nothing matches and offers to clear the filters", async () => {
    const html = await page(admin, "/cases?q=zzzqqq");
    expect(html).toContain("No cases match");
    expect(html).toContain('<a class="button" href="/cases">Clear filters</a>');
    expect(html).not.toContain("No cases yet");
  });
});

describe("pagination", () => {
  let pager: User;
  let bulk: { id: string }[];
  beforeAll(async () => {
    pager = await makeUser(t.db, { role: "staff", name: "Pat Pager" });
    const client = await makeClient(t.db, admin.id, { name: "Paging Partners" });
    bulk = await bulkCases(t.db, 60, { clientId: client.id, typeId: typeA.id, managerId: pager.id, createdById: admin.id });
  });

  it("pages 25 at a time with numbered links, the total and next/previous", async () => {
    const first = await page(pager, "/cases");
    expect(resultCount(first)).toBe("60 cases.");
    expect(listedCaseIds(first)).toEqual(bulk.slice(0, 25).map((k) => k.id));
    const links = pagerLinks(first);
    expect(links.current).toBe("Page 1 of 3");
    expect(links.prev).toBeUndefined();
    expect(Object.keys(links.numbers)).toEqual(["2", "3"]);
    expect(links.next).toBe("/cases?page=2");
    const second = await page(pager, links.next!);
    expect(listedCaseIds(second)).toEqual(bulk.slice(25, 50).map((k) => k.id));
    expect(pagerLinks(second).prev).toBe("/cases?page=1");
    const third = await page(pager, links.numbers["3"]!);
    expect(listedCaseIds(third)).toEqual(bulk.slice(50).map((k) => k.id));
    expect(pagerLinks(third).next).toBeUndefined();
    expect(pagerLinks(third).current).toBe("Page 3 of 3");
  });

  it("keeps the filters and the sort in the page links", async () => {
    const html = await page(pager, "/cases?sort=number&dir=asc&perPage=50&q=bulk");
    const links = pagerLinks(html);
    expect(links.next).toBe("/cases?sort=number&dir=asc&perPage=50&q=bulk&page=2");
    expect(listedCaseIds(await page(pager, links.next!))).toHaveLength(10);
  });

  it("caps the counts of big lists and still pages on", async () => {
    const big = await makeUser(t.db, { role: "staff", name: "Bea Bigbook" });
    const client = await makeClient(t.db, admin.id, { name: "Volume Ventures" });
    await bulkCases(t.db, 1005, { clientId: client.id, typeId: typeA.id, managerId: big.id, createdById: admin.id });
    const html = await page(big, "/cases");
    expect(statusTab(html, "new")).toBe("1,000+");
    expect(resultCount(html)).toBe("1,000+ cases.");
    const links = pagerLinks(html);
    expect(links.current).toBe("Page 1");
    expect(links.next).toBe("/cases?page=2");
    const last = await page(big, "/cases?page=41");
    expect(listedCaseIds(last)).toHaveLength(5);
    expect(pagerLinks(last).next).toBeUndefined();
  });
});
