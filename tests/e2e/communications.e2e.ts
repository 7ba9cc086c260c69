// Communications, end to end in a real browser: from a client's page, log a phone call with a follow-up through the
// quick form without leaving the page, find it on the client's timeline and on the assignee's dashboard, complete it.
import assert from "node:assert/strict";
import type { E2eTest } from "./run.ts";
import { andWaitForPage, field, flashMessage, mainNav, signInAdmin } from "./helpers.ts";

const CLIENT = "Bluewater Logistics Communications Ltd";
const CALL = { subject: "Renewal terms call", notes: "They want a two-year term.", due: "2020-06-30" };
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

export const communications: E2eTest = {
  name: "communications: log a phone call with a follow-up from the client page, timeline, dashboard, complete",
  async run({ page, admin, step }) {
    await step("admin signs in", () => signInAdmin(page, admin));

    const clientId = await step(`admin creates the client ${CLIENT}`, async () => {
      await page.goto("/clients/new");
      await field(page, "Name").fill(CLIENT);
      await andWaitForPage(page, () => page.getByRole("button", { name: "Create client" }).click(), (url) => new RegExp(`^/clients/${UUID}$`).test(url.pathname));
      return new URL(page.url()).pathname.split("/")[2]!;
    });

    await step("logs a phone call with a follow-up from the client's page, which stays where it is", async () => {
      const section = page.locator("#communications");
      await section.getByText("Log a communication").waitFor();
      await page.evaluate(() => ((globalThis as unknown as { stayed: boolean }).stayed = true));
      await section.getByText("Log a communication").click();
      await section.getByLabel("Type").selectOption({ label: "Phone call" });
      await section.getByLabel("Subject").fill(CALL.subject);
      await section.getByLabel("Notes").fill(CALL.notes);
      await section.getByLabel("Follow-up required").check();
      await section.getByLabel("Follow up by").fill(CALL.due);
      await section.getByRole("button", { name: "Log it" }).click();
      await section.getByRole("status").filter({ hasText: `Phone call “${CALL.subject}” logged.` }).waitFor();
      assert.equal(new URL(page.url()).pathname, `/clients/${clientId}`);
      assert.equal(await page.evaluate(() => (globalThis as unknown as { stayed?: boolean }).stayed), true, "the page was not reloaded");
      await page.locator("#communications .follow-ups").getByText(CALL.subject).waitFor();
      await page.locator("#communications .timeline").getByText(CALL.subject).waitFor();
      await page.locator("#tracking").getByText("Phone").first().waitFor();
    });

    await step("the call is on the client's timeline", async () => {
      await andWaitForPage(page, () => page.locator("#communications").getByRole("link", { name: "Full timeline" }).click(), (url) => url.pathname === `/clients/${clientId}/timeline`);
      await page.locator(".timeline").getByText(CALL.subject).waitFor();
      await page.locator(".timeline").getByText(CALL.notes).waitFor();
    });

    await step("the follow-up is on the assignee's dashboard, marked overdue, and is completed there", async () => {
      await andWaitForPage(page, () => mainNav(page).getByRole("link", { name: "Dashboard", exact: true }).click(), (url) => url.pathname === "/");
      const mine = page.locator("#my-follow-ups");
      const item = mine.locator("li.follow-up").filter({ hasText: CALL.subject });
      await item.getByText("Overdue").waitFor();
      await andWaitForPage(page, () => item.getByRole("button", { name: "Complete" }).click(), (url) => url.pathname === "/");
      await flashMessage(page, `Follow-up on “${CALL.subject}” completed.`).waitFor();
      await mine.getByText("No open follow-ups").waitFor();
    });
  },
};
