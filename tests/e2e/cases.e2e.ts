// Cases, end to end in a real browser: an admin sets up a case type and a two-stage template, opens a case from a
// client's page with that template, moves it new → assigned → in progress, tries a move the machine forbids (from a
// page left open while the case moved on) and reads the refusal, drags its card on the board and moves it back with
// the card's button, works the stages, has a second user (a manager on the team) give the second approval, then
// resolves and closes the case and reads its history.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import type { E2eTest } from "./run.ts";
import { andWaitForPage, changePassword, expectForcedPasswordChange, field, flashMessage, logOut, mainNav, pathOf, signIn, signInAdmin } from "./helpers.ts";

const TYPE = { name: "Commercial dispute", code: "COMM-DISP" };
const TEMPLATE = { name: "Dispute (standard)", code: "DISP-STD", first: "Intake review", second: "Partner sign-off" };
const CLIENT = "Northwind Shipping Arbitration Ltd";
const CASE = { title: "Charter party demurrage claim", description: "Claim for demurrage under the charter of the MV Aldebaran." };
const APPROVER = { name: "Marco Approver", email: "marco.approver@example.test", initialPassword: "copper falcon 61 harbor quartz", newPassword: "meadow lantern 84 canyon velvet" };

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const CASE_PAGE = new RegExp(`^/cases/(${UUID})$`);
const isCasePage = (url: URL) => CASE_PAGE.test(url.pathname);

function stage(page: Page, name: string) {
  return page.locator("li.stage").filter({ has: page.getByRole("heading", { name: new RegExp(name) }) });
}

/** Chooses a move in the overview's status form and submits it; resolution fields appear for resolving and closing. */
async function moveCase(page: Page, caseId: string, to: string, resolution?: { how: string; summary: string }) {
  await page.getByLabel(/^Move from .+ to$/).selectOption({ label: to });
  if (resolution) {
    await page.getByLabel("How did the case end?").selectOption({ label: resolution.how });
    await page.getByLabel("Resolution summary").fill(resolution.summary);
  }
  await andWaitForPage(page, () => page.getByRole("button", { name: "Change status" }).click(), (url) => url.pathname === `/cases/${caseId}`);
}

async function statusBadge(page: Page) {
  return (await page.locator("header.case-header .case-status").innerText()).trim();
}

export const cases: E2eTest = {
  name: "cases: a case from a template, status moves, a refused move, approvals by two people, resolve and close",
  async run({ page, context, admin, step }) {
    const adminName = await step("admin signs in", () => signInAdmin(page, admin));

    await step(`admin creates the case type "${TYPE.name}" (Admin > Case types)`, async () => {
      await andWaitForPage(page, () => mainNav(page).getByRole("link", { name: "Case types", exact: true }).click(), (url) => url.pathname === "/admin/case-types");
      await andWaitForPage(page, () => page.getByRole("link", { name: /^New case type$/ }).click(), (url) => url.pathname === "/admin/case-types/new");
      await field(page, "Name").fill(TYPE.name);
      await field(page, "Code").fill(TYPE.code);
      await andWaitForPage(page, () => page.getByRole("button", { name: "Create case type" }).click(), (url) => new RegExp(`^/admin/case-types/${UUID}$`).test(url.pathname));
      await flashMessage(page, `Case type ${TYPE.name} created.`).waitFor();
    });

    await step(`admin adds the template "${TEMPLATE.name}" with two stages, the second needing two approvals`, async () => {
      await andWaitForPage(page, () => page.getByRole("link", { name: "New template for this type" }).click(), (url) => url.pathname === "/admin/case-templates/new");
      await field(page, "Name").fill(TEMPLATE.name);
      await field(page, "Code").fill(TEMPLATE.code);
      await page.getByLabel("Stage row 1: name").fill(TEMPLATE.first);
      await page.getByLabel("Stage row 1: stage type").selectOption({ label: "Intake" });
      await page.getByLabel("Stage row 2: name").fill(TEMPLATE.second);
      await page.getByLabel("Stage row 2: stage type").selectOption({ label: "Approval" });
      await page.getByLabel("Stage row 2: approval required").check();
      await page.getByLabel(/^Stage row 2: minimum approvers/).fill("2");
      await andWaitForPage(page, () => page.getByRole("button", { name: "Create template" }).click(), (url) => new RegExp(`^/admin/case-templates/${UUID}/edit$`).test(url.pathname));
      await flashMessage(page, `Template ${TEMPLATE.name} created with 2 stages.`).waitFor();
    });

    await step(`admin creates the manager ${APPROVER.email}`, async () => {
      await andWaitForPage(page, () => mainNav(page).getByRole("link", { name: "Users", exact: true }).click(), (url) => url.pathname === "/admin/users");
      await andWaitForPage(page, () => page.getByRole("link", { name: "New user", exact: true }).click(), (url) => url.pathname === "/admin/users/new");
      await field(page, "Name").fill(APPROVER.name);
      await field(page, "Email").fill(APPROVER.email);
      await page.getByLabel("Role").selectOption({ label: "Manager" });
      await field(page, "Initial password").fill(APPROVER.initialPassword);
      await andWaitForPage(page, () => page.getByRole("button", { name: "Create user" }).click(), (url) => new RegExp(`^/admin/users/${UUID}$`).test(url.pathname));
    });

    const clientId = await step(`admin creates the client ${CLIENT}`, async () => {
      await page.goto("/clients/new");
      await field(page, "Name").fill(CLIENT);
      await andWaitForPage(page, () => page.getByRole("button", { name: "Create client" }).click(), (url) => new RegExp(`^/clients/${UUID}$`).test(url.pathname));
      return new URL(page.url()).pathname.split("/")[2]!;
    });

    const caseId = await step("from the client's page, admin opens a case with the template", async () => {
      await page.locator("#cases").getByText("No cases you can see").waitFor();
      await andWaitForPage(page, () => page.locator("#cases").getByRole("link", { name: "Open a case" }).click(), (url) => url.pathname === "/cases/new" && url.searchParams.get("clientId") === clientId);
      await page.getByText(CLIENT).first().waitFor(); // the chosen client is shown, not asked for again
      await field(page, "Title").fill(CASE.title);
      await field(page, "Description").fill(CASE.description);
      await page.getByLabel(/^Case type/).selectOption({ label: TYPE.name });
      await page.getByLabel("Workflow template").selectOption({ label: `${TEMPLATE.name} (2 stages)` });
      await andWaitForPage(page, () => page.getByRole("button", { name: "Open case" }).click(), isCasePage);
      const opened = await page.getByRole("status").filter({ hasText: /Case CASE-\d{4}-\d{6} opened\./ }).innerText();
      assert.match(opened, /CASE-\d{4}-\d{6}/);
      await page.getByRole("heading", { level: 1, name: new RegExp(CASE.title) }).waitFor();
      assert.equal(await statusBadge(page), "New");
      return CASE_PAGE.exec(pathOf(page))![1]!;
    });

    await step("the case moves new → assigned → in progress", async () => {
      await moveCase(page, caseId, "Assigned");
      await flashMessage(page, "Case moved to Assigned.").waitFor();
      assert.equal(await statusBadge(page), "Assigned");
      // Only the moves the machine allows from here are offered.
      const offered = await page.getByLabel(/^Move from Assigned to$/).locator("option").allInnerTexts();
      assert.deepEqual(offered.map((o) => o.trim()), ["In progress", "On hold", "Closed"]);
      await moveCase(page, caseId, "In progress");
      await flashMessage(page, "Case moved to In progress.").waitFor();
      assert.equal(await statusBadge(page), "In progress");
    });

    await step("a move the machine forbids (resolving a case put on hold meanwhile) is refused with the allowed moves", async () => {
      const stale = await context.newPage();
      await stale.goto(`/cases/${caseId}`);
      await moveCase(page, caseId, "On hold");
      await flashMessage(page, "Case moved to On hold.").waitFor();
      // The other tab still offers the moves from In progress; resolving is not allowed from On hold.
      await moveCase(stale, caseId, "Resolved", { how: "Settled", summary: "Settled early." });
      await flashMessage(stale, "A case cannot move from On hold to Resolved", "alert").waitFor();
      await flashMessage(stale, "From On hold it can move to In progress or Closed.", "alert").waitFor();
      assert.equal(await statusBadge(stale), "On hold");
      await stale.close();
      await page.reload();
      await moveCase(page, caseId, "In progress");
      await flashMessage(page, "Case moved to In progress.").waitFor();
    });

    await step("on the board, the card is dragged to On hold, then moved back with its In progress button", async () => {
      await andWaitForPage(page, () => mainNav(page).getByRole("link", { name: "Cases", exact: true }).click(), (url) => url.pathname === "/cases");
      await andWaitForPage(page, () => page.getByRole("link", { name: "Board view" }).click(), (url) => url.pathname === "/cases/board");
      const card = page.locator(`[data-case-card="${caseId}"]`);
      const column = (status: string) => page.locator(`section.board-column[data-status="${status}"]`);
      assert.equal(await column("in_progress").locator(`[data-case-card="${caseId}"]`).count(), 1, "the card starts in In progress");
      await andWaitForPage(page, () => card.dragTo(column("on_hold")), (url) => url.pathname === "/cases/board");
      await flashMessage(page, "Case moved to On hold.").waitFor();
      assert.equal(await column("on_hold").locator(`[data-case-card="${caseId}"]`).count(), 1, "the card is now in On hold");
      // From On hold the card offers only In progress and Closed, behind its "Move…" disclosure.
      await card.locator("summary").filter({ hasText: /^Move/ }).click();
      const moves = card.getByRole("group", { name: /^Move CASE-\d{4}-\d{6} to$/ });
      assert.deepEqual((await moves.getByRole("button").allInnerTexts()).map((t) => t.trim()), ["In progress", "Closed"]);
      await andWaitForPage(page, () => moves.getByRole("button", { name: "In progress" }).click(), (url) => url.pathname === "/cases/board");
      await flashMessage(page, "Case moved to In progress.").waitFor();
      assert.equal(await column("in_progress").locator(`[data-case-card="${caseId}"]`).count(), 1, "the card is back in In progress");
      await andWaitForPage(page, () => card.getByRole("link", { name: CASE.title }).click(), (url) => url.pathname === `/cases/${caseId}`);
    });

    await step(`admin puts ${APPROVER.name} on the team as reviewer`, async () => {
      await andWaitForPage(page, () => page.getByRole("navigation", { name: "Sections of this case" }).getByRole("link", { name: "Team" }).click(), (url) => url.pathname === `/cases/${caseId}/team`);
      await page.getByLabel("Person").selectOption({ label: new RegExp(APPROVER.name).source });
      await page.getByLabel("Role", { exact: true }).selectOption({ label: "Reviewer" });
      await andWaitForPage(page, () => page.getByRole("button", { name: "Add to team" }).click(), (url) => url.pathname === `/cases/${caseId}/team`);
      await flashMessage(page, `${APPROVER.name} added to the team as Reviewer.`).waitFor();
    });

    await step("admin works the first stage and gives the first of two approvals", async () => {
      await andWaitForPage(page, () => page.getByRole("navigation", { name: "Sections of this case" }).getByRole("link", { name: "Workflow" }).click(), (url) => url.pathname === `/cases/${caseId}/workflow`);
      await andWaitForPage(page, () => stage(page, TEMPLATE.first).getByRole("button", { name: "Start" }).click());
      await andWaitForPage(page, () => stage(page, TEMPLATE.first).getByRole("button", { name: "Complete" }).click());
      await flashMessage(page, `Stage "${TEMPLATE.first}" completed.`).waitFor();
      await andWaitForPage(page, () => stage(page, TEMPLATE.second).getByRole("button", { name: "Start" }).click());
      await andWaitForPage(page, () => stage(page, TEMPLATE.second).getByRole("button", { name: "Approve" }).click());
      await flashMessage(page, `Stage "${TEMPLATE.second}" approved (1 of 2).`).waitFor();
      assert.equal(await stage(page, TEMPLATE.second).getByRole("button", { name: "Complete" }).count(), 0, "one approval is not enough to complete");
      assert.equal(await stage(page, TEMPLATE.second).getByRole("button", { name: "Approve" }).count(), 0, "the same person cannot approve twice");
    });

    await step("admin logs out", () => logOut(page, adminName));

    await step(`${APPROVER.name} signs in, finds the approval waiting on the dashboard and gives the second approval`, async () => {
      await signIn(page, APPROVER.email, APPROVER.initialPassword);
      await expectForcedPasswordChange(page);
      await changePassword(page, APPROVER.initialPassword, APPROVER.newPassword);
      const waiting = page.locator("section, div").filter({ has: page.getByRole("heading", { name: /^Approvals waiting for me/ }) }).last();
      await waiting.getByText(TEMPLATE.second).first().waitFor();
      await page.goto(`/cases/${caseId}/workflow`);
      await andWaitForPage(page, () => stage(page, TEMPLATE.second).getByRole("button", { name: "Approve" }).click());
      await flashMessage(page, `Stage "${TEMPLATE.second}" approved (2 of 2).`).waitFor();
      await logOut(page, APPROVER.name);
    });

    await step("admin completes the approved stage, resolves the case and closes it", async () => {
      await signInAdmin(page, admin);
      await page.goto(`/cases/${caseId}/workflow`);
      await andWaitForPage(page, () => stage(page, TEMPLATE.second).getByRole("button", { name: "Complete" }).click());
      await flashMessage(page, `Stage "${TEMPLATE.second}" completed.`).waitFor();
      await page.goto(`/cases/${caseId}`);
      await moveCase(page, caseId, "Resolved", { how: "Settled", summary: "Owners accepted 80% of the claim." });
      await flashMessage(page, "Case moved to Resolved.").waitFor();
      await moveCase(page, caseId, "Closed");
      await flashMessage(page, "Case moved to Closed.").waitFor();
      assert.equal(await statusBadge(page), "Closed");
      const offered = await page.getByLabel(/^Move from Closed to$/).locator("option").allInnerTexts();
      assert.deepEqual(offered.map((o) => o.trim()), ["Reopened"]);
    });

    await step("the history tab tells the story, and the client's page counts the closed case", async () => {
      await andWaitForPage(page, () => page.getByRole("navigation", { name: "Sections of this case" }).getByRole("link", { name: "History" }).click(), (url) => url.pathname === `/cases/${caseId}/history`);
      const text = await page.locator("main").innerText();
      for (const expected of ["Settled", APPROVER.name, TEMPLATE.second]) assert.ok(text.includes(expected), `the history mentions ${expected}`);
      await page.goto(`/clients/${clientId}`);
      await page.locator("#cases").getByText(CASE.title).waitFor();
    });
  },
};
