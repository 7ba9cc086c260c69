// Roundtable, end to end in a real browser: a relationship-team manager creates two strategic clients, starts a
// meeting, types entries for both in meeting mode (autosaved), loses the connection mid-entry and reloads to find the
// draft restored and sent, ends the meeting, and finds the entries in the minutes and on the client page.
import assert from "node:assert/strict";
import type { E2eTest } from "./run.ts";
import { andWaitForPage, changePassword, checkbox, field, flashMessage, logOut, mainNav, signIn, signInAdmin } from "./helpers.ts";

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const LEAD = { name: "Rhea Roundtable", email: "rhea.roundtable@example.test", initialPassword: "initial secret 4242 round", newPassword: "walnut harbour 93 lantern" };
const FIRST = { name: "Aurora Grid Roundtable Co", steps: "Send the feasibility proposal by Friday" };
const SECOND = { name: "Borealis Power Roundtable Ltd", focus: "Permitting for the new plant", more: " and the grid connection study" };

export const roundtable: E2eTest = {
  name: "roundtable: meeting mode with autosaved entries for two clients, a draft that survives a reload offline, end, client page",
  async run({ page, admin, step, screenshot }) {
    const adminName = await step("admin signs in", () => signInAdmin(page, admin));

    await step(`admin creates ${LEAD.name}, a manager on the relationship team`, async () => {
      await page.goto("/admin/users/new");
      await field(page, "Name").fill(LEAD.name);
      await field(page, "Email").fill(LEAD.email);
      await page.getByLabel("Role").selectOption({ label: "Manager" });
      await checkbox(page, "Relationship team").check();
      await field(page, "Initial password").fill(LEAD.initialPassword);
      await andWaitForPage(page, () => page.getByRole("button", { name: "Create user" }).click(), (url) => new RegExp(`^/admin/users/${UUID}$`).test(url.pathname));
      assert.equal(await mainNav(page).getByRole("link", { name: "Roundtable", exact: true }).count(), 0, "no roundtable link for the admin off the team");
      await logOut(page, adminName);
    });

    const ids = await step(`${LEAD.name} signs in and creates two strategic clients`, async () => {
      await signIn(page, LEAD.email, LEAD.initialPassword);
      await changePassword(page, LEAD.initialPassword, LEAD.newPassword);
      const made: string[] = [];
      for (const name of [FIRST.name, SECOND.name]) {
        await page.goto("/clients/new");
        await field(page, "Name").fill(name);
        await page.getByLabel("Priority").selectOption({ label: "Strategic" });
        await page.getByLabel("Relationship status").selectOption({ label: "Active" });
        await andWaitForPage(page, () => page.getByRole("button", { name: "Create client" }).click(), (url) => new RegExp(`^/clients/${UUID}$`).test(url.pathname));
        made.push(new URL(page.url()).pathname.split("/")[2]!);
      }
      return made;
    });
    const [firstId, secondId] = ids as [string, string];

    const meetingId = await step("starts a meeting from the Roundtable page; meeting mode opens", async () => {
      await andWaitForPage(page, () => mainNav(page).getByRole("link", { name: "Roundtable", exact: true }).click(), (url) => url.pathname === "/roundtable");
      assert.equal(await checkbox(page, LEAD.name).isChecked(), true, "the one starting it attends by default");
      await andWaitForPage(page, () => page.getByRole("button", { name: "Start the meeting" }).click(), (url) => new RegExp(`^/roundtable/${UUID}$`).test(url.pathname));
      await flashMessage(page, "Meeting started").waitFor();
      await page.getByLabel("Priority").selectOption({ label: "Strategic" });
      await andWaitForPage(page, () => page.getByRole("button", { name: "Filter" }).click(), (url) => url.searchParams.get("priority") === "strategic");
      return new URL(page.url()).pathname.split("/")[2]!;
    });

    const card = (id: string) => page.locator(`[data-client-row="${id}"]`);

    await step(`types next steps for ${FIRST.name}: saved as typed, without leaving the page`, async () => {
      await page.evaluate(() => ((globalThis as unknown as { stayed: boolean }).stayed = true));
      await card(firstId).getByLabel("Next steps").pressSequentially(FIRST.steps, { delay: 5 });
      await card(firstId).locator("[data-save-status]").filter({ hasText: "Draft saved" }).waitFor();
      assert.equal(await page.evaluate(() => (globalThis as unknown as { stayed?: boolean }).stayed), true, "the page was not reloaded");
    });

    await step(`types the near-term focus of ${SECOND.name}, loses the connection mid-entry, reloads and finds the draft`, async () => {
      const focus = card(secondId).getByLabel("Client's near-term focus");
      await focus.pressSequentially(SECOND.focus, { delay: 5 });
      await card(secondId).locator("[data-save-status]").filter({ hasText: "Draft saved" }).waitFor();
      await page.route("**/entries/**", (route) => route.abort("internetdisconnected"));
      await focus.pressSequentially(SECOND.more, { delay: 5 });
      await card(secondId).locator("[data-save-status]").filter({ hasText: "Offline" }).waitFor();
      await page.unroute("**/entries/**");
      await page.reload();
      await page.waitForLoadState("load");
      assert.equal(await card(secondId).getByLabel("Client's near-term focus").inputValue(), SECOND.focus + SECOND.more);
      await card(secondId).locator("[data-save-status]").filter({ hasText: "Draft saved" }).waitFor();
      assert.equal(await card(firstId).getByLabel("Next steps").inputValue(), FIRST.steps);
      await screenshot("roundtable-meeting-mode");
    });

    await step("on a 390 px phone, meeting mode fits the screen's width", async () => {
      const size = page.viewportSize();
      await page.setViewportSize({ width: 390, height: 844 });
      await card(secondId).getByLabel("Client's near-term focus").waitFor();
      // As text: the project's TypeScript has no DOM types.
      const overflow = await page.evaluate<number>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
      await screenshot("roundtable-meeting-mode-phone");
      if (size) await page.setViewportSize(size);
    });

    await step("ends the meeting; the minutes list both entries", async () => {
      page.once("dialog", (dialog) => void dialog.accept());
      await andWaitForPage(page, () => page.getByRole("button", { name: "End meeting" }).click(), (url) => url.pathname === `/roundtable/${meetingId}/minutes`);
      await flashMessage(page, "Meeting ended with 2 entries.").waitFor();
      const entries = page.locator("#entries");
      await entries.getByText(FIRST.steps).waitFor();
      await entries.getByText(SECOND.focus + SECOND.more).waitFor();
    });

    await step(`${FIRST.name}'s page shows the entry in its roundtable section`, async () => {
      await page.goto(`/clients/${firstId}`);
      await page.locator("#roundtable").getByText(FIRST.steps).waitFor();
      await page.goto(`/clients/${secondId}`);
      await page.locator("#roundtable").getByText(SECOND.focus + SECOND.more).waitFor();
      await logOut(page, LEAD.name);
    });
  },
};
