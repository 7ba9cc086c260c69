// Client feedback, end to end in a real browser: from a client's page, record feedback for two quarters, finalize one
// (confirming in the browser's dialog), and see the trend chart plot both periods, with the table behind it.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import type { E2eTest } from "./run.ts";
import { andWaitForPage, field, flashMessage, mainNav, pathOf, signInAdmin } from "./helpers.ts";
import { addQuarters, periodLabel, quarterStart } from "../../src/feedback/periods.ts";

const CLIENT = "Quillfeather Analytics Cooperative";
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const FEEDBACK_PAGE = new RegExp(`^/clients/${UUID}/feedback/${UUID}$`);

/** The quarter before the current one and the one before that, as the form's period choices name them. */
const EARLIER = periodLabel({ kind: "quarter", start: addQuarters(quarterStart(new Date()), -2) });
const LATER = periodLabel({ kind: "quarter", start: addQuarters(quarterStart(new Date()), -1) });

async function recordFeedback(page: Page, period: string, overall: number, written: string) {
  await andWaitForPage(page, () => page.getByRole("region", { name: /^Feedback/ }).getByRole("link", { name: "Record feedback" }).click(), (url) => url.pathname.endsWith("/feedback/new"));
  await page.getByRole("heading", { level: 1, name: `Record feedback for ${CLIENT}` }).waitFor();
  await field(page, "Period").selectOption({ label: period });
  for (const [rating, score] of [["Responsiveness", 4], ["Communication", 3], ["Requirements clarity", 5], ["Decision speed", 2], ["Overall satisfaction", overall]] as const) {
    await page.getByRole("group", { name: new RegExp(`^${rating}`) }).getByRole("radio", { name: new RegExp(`^${score} `) }).check();
  }
  await field(page, "Written feedback").fill(written);
  await andWaitForPage(page, () => page.getByRole("button", { name: "Record feedback" }).click(), (url) => FEEDBACK_PAGE.test(url.pathname));
  await flashMessage(page, `Feedback for ${period} recorded.`).waitFor();
  await page.getByRole("heading", { level: 1, name: new RegExp(`^Feedback for ${period}`) }).waitFor();
}

export const feedback: E2eTest = {
  name: "feedback: two quarters recorded from a client's page, one finalized, both on the trend chart",
  async run({ page, admin, step, screenshot }) {
    let clientPath = "";

    await step("admin signs in and creates a client", async () => {
      await signInAdmin(page, admin);
      await page.goto("/clients/new");
      await field(page, "Name").fill(CLIENT);
      await andWaitForPage(page, () => page.getByRole("button", { name: "Create client" }).click(), (url) => new RegExp(`^/clients/${UUID}$`).test(url.pathname));
      clientPath = pathOf(page);
      await page.getByRole("region", { name: /^Feedback/ }).getByText("No feedback recorded yet").waitFor();
    });

    await step(`records feedback for ${EARLIER} and ${LATER} from the client's page`, async () => {
      await recordFeedback(page, EARLIER, 4, "Clear reporting, slow approvals.");
      await page.goto(clientPath);
      await recordFeedback(page, LATER, 2, "Deadlines slipped this quarter.");
    });

    await step("a second feedback for the same quarter is refused with a link to the first", async () => {
      await page.goto(clientPath);
      await page.getByRole("region", { name: /^Feedback/ }).getByRole("link", { name: "Record feedback" }).click();
      await field(page, "Period").selectOption({ label: LATER });
      await andWaitForPage(page, () => page.getByRole("button", { name: "Record feedback" }).click());
      await page.getByText(`Feedback for ${LATER} is already recorded for this client`).waitFor();
      await andWaitForPage(page, () => page.getByRole("link", { name: "Open the existing feedback" }).click(), (url) => FEEDBACK_PAGE.test(url.pathname));
    });

    await step(`finalizes the feedback for ${LATER}, confirming in the browser's dialog`, async () => {
      page.once("dialog", (dialog) => void dialog.accept());
      await andWaitForPage(page, () => page.getByRole("button", { name: "Finalize feedback" }).click(), (url) => FEEDBACK_PAGE.test(url.pathname));
      await flashMessage(page, `Feedback for ${LATER} finalized: it can no longer change.`).waitFor();
      await page.locator("[data-finalized]").filter({ hasText: / UTC by / }).waitFor();
      assert.equal(await page.getByRole("link", { name: "Edit", exact: true }).count(), 0, "finalized feedback offers no Edit");
    });

    await step("the trend chart shows both quarters, with the table behind it", async () => {
      await page.goto(`${clientPath}/feedback`);
      await page.getByRole("heading", { level: 1, name: `Feedback: ${CLIENT}` }).waitFor();
      const chart = page.locator('figure[data-chart="overallSatisfaction"]');
      assert.equal(await chart.locator("svg circle[data-point]").count(), 2, "two points on the overall satisfaction chart");
      assert.ok(await page.getByRole("img", { name: "Overall satisfaction over time" }).isVisible(), "the chart is an image named for screen readers");
      await chart.getByText("Data table: Overall satisfaction over time").click();
      const rows = await chart.locator("tbody tr").allInnerTexts();
      assert.deepEqual(rows.map((r) => r.replace(/\s+/g, " ").trim()), [`Overall satisfaction ${EARLIER} 4.00`, `Overall satisfaction ${LATER} 2.00`]);
      await page.getByRole("table").filter({ hasText: "Finalized" }).getByText("Draft").waitFor();
      console.log(`    chart saved: ${await screenshot("feedback trend")}`);
    });

    await step("the firm-wide report is in the navigation and counts both", async () => {
      await andWaitForPage(page, () => mainNav(page).getByRole("link", { name: "Feedback", exact: true }).click(), (url) => url.pathname === "/feedback");
      await page.getByRole("heading", { level: 1, name: "Feedback" }).waitFor();
      await page.locator('table[data-table="by-quarter"]').getByRole("rowheader", { name: LATER }).waitFor();
    });
  },
};
