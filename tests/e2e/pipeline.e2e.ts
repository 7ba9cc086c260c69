// The pre-sale pipeline, end to end in a real browser: an admin captures a lead, qualifies it into a prospect, drafts a
// proposal, sends it, edits it into a second version (the first kept and viewable), sends that, and accepts it with a
// first case; the browser lands on the new client's page with its origin, its engagement and its first case.
import assert from "node:assert/strict";
import type { E2eTest } from "./run.ts";
import { andWaitForPage, field, flashMessage, mainNav, pathOf, signInAdmin } from "./helpers.ts";

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const page = (prefix: string) => (url: URL) => new RegExp(`^${prefix}/${UUID}$`).test(url.pathname);
const TYPE = { name: "Client onboarding", code: "ONB-PIPE" };
const LEAD = { company: "Halcyon Robotics GmbH", contact: "Greta Halcyon", email: "greta@halcyon-robotics.example" };
const SCOPE_1 = "Automation audit\nTwo site visits and a written report.";
const SCOPE_2 = "Automation audit and roadmap\nThree site visits, a report and a roadmap workshop.";

export const pipeline: E2eTest = {
  name: "pipeline: lead → prospect → proposal with two versions → accept → the new client with its engagement and first case",
  async run({ page: p, admin, step, screenshot }) {
    await step("admin signs in", () => signInAdmin(p, admin));

    await step(`admin creates the case type "${TYPE.name}" for the first case`, async () => {
      await p.goto("/admin/case-types/new");
      await field(p, "Name").fill(TYPE.name);
      await field(p, "Code").fill(TYPE.code);
      await andWaitForPage(p, () => p.getByRole("button", { name: "Create case type" }).click(), page("/admin/case-types"));
    });

    await step(`captures the lead "${LEAD.company}" from Pipeline > Leads`, async () => {
      await andWaitForPage(p, () => mainNav(p).getByRole("link", { name: "Pipeline", exact: true }).click(), (url) => url.pathname === "/pipeline");
      await andWaitForPage(p, () => p.getByRole("navigation", { name: "Pipeline" }).getByRole("link", { name: "Leads", exact: true }).click(), (url) => url.pathname === "/pipeline/leads");
      await andWaitForPage(p, () => p.locator(".page-head").getByRole("link", { name: "New lead" }).click(), (url) => url.pathname === "/pipeline/leads/new");
      await field(p, "Company").fill(LEAD.company);
      await field(p, "Contact name").fill(LEAD.contact);
      await field(p, "Email").fill(LEAD.email);
      await field(p, "Source").selectOption({ label: "Referral" });
      await field(p, "Score (0–100)").fill("80");
      await andWaitForPage(p, () => p.getByRole("button", { name: "Capture lead" }).click(), page("/pipeline/leads"));
      await flashMessage(p, `Lead ${LEAD.company} captured.`).waitFor();
    });

    await step("qualifies the lead: a prospect is made from it", async () => {
      await andWaitForPage(p, () => p.getByRole("button", { name: "Qualify: make a prospect" }).click(), page("/pipeline/prospects"));
      await p.getByRole("heading", { level: 1, name: new RegExp(LEAD.company) }).waitFor();
      assert.match(await p.locator("[data-stage]").first().innerText(), /Discovery/);
    });

    await step("drafts a proposal and marks it sent", async () => {
      await andWaitForPage(p, () => p.getByRole("link", { name: "New proposal" }).click(), (url) => url.pathname.endsWith("/proposals/new"));
      await field(p, "Amount").fill("24,000");
      await field(p, "Scope").fill(SCOPE_1);
      await andWaitForPage(p, () => p.getByRole("button", { name: "Draft proposal" }).click(), page("/pipeline/proposals"));
      await andWaitForPage(p, () => p.getByRole("button", { name: "Mark as sent" }).click(), page("/pipeline/proposals"));
      await flashMessage(p, "Proposal marked as sent.").waitFor();
      assert.equal(await p.locator("[data-proposal-status]").getAttribute("data-proposal-status"), "sent");
    });

    const proposalPath = pathOf(p);
    await step("edits the sent proposal: version 2 is a draft, version 1 is kept as sent", async () => {
      await andWaitForPage(p, () => p.getByRole("link", { name: "Edit", exact: true }).click(), (url) => url.pathname === `${proposalPath}/edit`);
      await field(p, "Amount").fill("27,500");
      await field(p, "Scope").fill(SCOPE_2);
      await andWaitForPage(p, () => p.getByRole("button", { name: "Save as version 2" }).click(), (url) => url.pathname === proposalPath);
      await flashMessage(p, "Saved as version 2, a draft; version 1 is kept as it was sent.").waitFor();
      assert.equal(await p.locator("[data-versions] li").count(), 2);
      await andWaitForPage(p, () => p.getByRole("link", { name: "Version 1" }).click(), (url) => url.pathname === proposalPath && url.search === "?version=1");
      assert.match(await p.locator("[data-scope]").innerText(), /Two site visits/);
      assert.match(await p.locator("[data-amount]").innerText(), /24,000\.00/);
      await andWaitForPage(p, () => p.getByRole("link", { name: "See the current version 2" }).click(), (url) => url.pathname === proposalPath);
      assert.match(await p.locator("[data-scope]").innerText(), /Three site visits/);
      await andWaitForPage(p, () => p.getByRole("button", { name: "Mark as sent" }).click(), (url) => url.pathname === proposalPath);
    });

    await step("on the prospect board, drags the card from Proposal to Negotiation, and moves it back with its button", async () => {
      const prospectId = /\/pipeline\/prospects\/([0-9a-f-]{36})/.exec(await p.locator(".breadcrumb a").last().getAttribute("href") ?? "")![1]!;
      await p.goto("/pipeline/prospects/board");
      const card = p.locator(`[data-case-card="${prospectId}"]`);
      const column = (stage: string) => p.locator(`section.board-column[data-status="${stage}"]`);
      assert.equal(await column("proposal").locator(`[data-case-card="${prospectId}"]`).count(), 1, "the card starts in Proposal (the proposal was sent)");
      await andWaitForPage(p, () => card.dragTo(column("negotiation")), (url) => url.pathname === "/pipeline/prospects/board");
      await flashMessage(p, "Moved to Negotiation.").waitFor();
      assert.equal(await column("negotiation").locator(`[data-case-card="${prospectId}"]`).count(), 1, "the card is now in Negotiation");
      const moves = card.getByRole("group", { name: `Move ${LEAD.company} to` });
      assert.deepEqual((await moves.getByRole("button").allInnerTexts()).map((t) => t.trim()), ["Discovery", "Proposal", "Lost"]);
      await andWaitForPage(p, () => moves.getByRole("button", { name: "Proposal" }).click(), (url) => url.pathname === "/pipeline/prospects/board");
      assert.equal(await column("proposal").locator(`[data-case-card="${prospectId}"]`).count(), 1, "the card is back in Proposal");
      await p.goto(proposalPath);
    });

    await step("accepts version 2 with a first case and lands on the new client's page", async () => {
      await andWaitForPage(p, () => p.getByRole("link", { name: "Accept: create the client…" }).click(), (url) => url.pathname === `${proposalPath}/accept`);
      await field(p, "Case type").selectOption({ label: TYPE.name });
      await field(p, "Case title").fill("Halcyon onboarding");
      await andWaitForPage(p, () => p.getByRole("button", { name: "Accept proposal" }).click(), page("/clients"));
      await flashMessage(p, "Proposal accepted: the client, its engagement and its first case were created.").waitFor();
      await p.getByRole("heading", { level: 1, name: new RegExp(LEAD.company) }).waitFor();
      assert.match(await p.locator("[data-client-origin]").innerText(), /Converted from prospect Halcyon Robotics GmbH by accepting proposal PRP-\d{4}-\d{4}/);
      const engagement = await p.locator("[data-engagements] tbody tr").first().innerText();
      assert.match(engagement, /Automation audit and roadmap/);
      assert.match(engagement, /27,500\.00 USD/);
      await p.locator("#cases").getByRole("link", { name: "Halcyon onboarding" }).waitFor();
      await p.locator("#contacts").getByText(LEAD.contact).first().waitFor();
      await screenshot("pipeline-client-page");
      await p.goto("/pipeline");
      await screenshot("pipeline-funnel");
    });
  },
};
