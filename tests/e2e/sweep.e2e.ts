// The layout and accessibility sweep: every page of the app at a desktop and a phone size must fit the viewport (no
// sideways scrolling) and have no serious or critical axe-core violation; each is saved as a screenshot under
// test-results/screens/<size>/ for a person to look at. The sweep makes the records its pages need (a category, a
// case type with a template, a user, a client with a contact, a case) through the app's own forms.
//
// To add a page, add a line to SWEEP_PAGES: a label and an address, with {client}, {contact}, {case}, {caseType},
// {template}, {category}, {user}, {communication}, {feedback}, {document}, {lead}, {prospect}, {proposal}, {campaign}
// or {meeting} where a record's id goes.
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import type { Browser, Page } from "playwright-core";
import type { E2eContext, E2eTest } from "./run.ts";
import { andWaitForPage, checkbox, field, mainNav, pathOf, signIn, signInAdmin } from "./helpers.ts";
import { pdfWithText } from "../documents/support.ts";

export interface SweepPage {
  label: string;
  /** The page's address; {name} stands for the id of the sweep's record of that name (see SweepRecords). */
  path: string;
  /** Visited signed out (the sign-in page). */
  signedOut?: boolean;
  /** The HTTP status the page answers with, when not 200. */
  status?: number;
  /** What to do on `path` to reach the page to check (pages that answer a form, such as a preview). */
  then?: (page: Page) => Promise<void>;
}

/** Every page of the app. Keep it in the order of the navigation; a new feature adds its pages here. */
export const SWEEP_PAGES: SweepPage[] = [
  { label: "Sign in", path: "/login", signedOut: true },
  { label: "Dashboard", path: "/" },
  { label: "Change password", path: "/account/password" },
  { label: "Clients", path: "/clients" },
  { label: "Clients, searched", path: "/clients?q=sweep" },
  { label: "New client", path: "/clients/new" },
  { label: "Client", path: "/clients/{client}" },
  { label: "Edit client", path: "/clients/{client}/edit" },
  { label: "Delete client", path: "/clients/{client}/delete" },
  { label: "New contact", path: "/clients/{client}/contacts/new" },
  { label: "Edit contact", path: "/clients/{client}/contacts/{contact}/edit" },
  { label: "Delete contact", path: "/clients/{client}/contacts/{contact}/delete" },
  { label: "Clients by point of contact", path: "/clients/by-point-of-contact" },
  { label: "Import clients", path: "/clients/import" },
  { label: "Import clients, preview", path: "/clients/import", then: previewImport },
  { label: "Bulk update clients", path: "/clients/bulk" },
  { label: "Cases", path: "/cases" },
  { label: "Case board", path: "/cases/board" },
  { label: "New case", path: "/cases/new" },
  { label: "Case", path: "/cases/{case}" },
  { label: "Edit case", path: "/cases/{case}/edit" },
  { label: "Case team", path: "/cases/{case}/team" },
  { label: "Case workflow", path: "/cases/{case}/workflow" },
  { label: "Case history", path: "/cases/{case}/history" },
  { label: "Delete case", path: "/cases/{case}/delete" },
  { label: "Deleted cases", path: "/cases/deleted" },
  { label: "Client timeline", path: "/clients/{client}/timeline" },
  { label: "Client feedback", path: "/clients/{client}/feedback" },
  { label: "New client feedback", path: "/clients/{client}/feedback/new" },
  { label: "Client feedback report", path: "/clients/{client}/feedback/report" },
  { label: "Case documents", path: "/cases/{case}/documents" },
  { label: "Case communications", path: "/cases/{case}/communications" },
  { label: "New communication", path: "/clients/{client}/communications/new" },
  { label: "Communication", path: "/communications/{communication}" },
  { label: "Edit communication", path: "/communications/{communication}/edit" },
  { label: "Delete communication", path: "/communications/{communication}/delete" },
  { label: "Client feedback entry", path: "/clients/{client}/feedback/{feedback}" },
  { label: "Edit client feedback", path: "/clients/{client}/feedback/{feedback}/edit" },
  { label: "Documents", path: "/documents" },
  { label: "Upload documents", path: "/documents/new?client={client}" },
  { label: "Deleted documents", path: "/documents/deleted" },
  { label: "Document", path: "/documents/{document}" },
  { label: "Delete document", path: "/documents/{document}/delete" },
  { label: "Communications", path: "/communications" },
  { label: "Follow-ups", path: "/communications/follow-ups" },
  { label: "Follow-ups, overdue", path: "/communications/follow-ups?show=overdue" },
  { label: "Clients needing attention, mine", path: "/clients?attention=urgent&mine=1" },
  { label: "Workload", path: "/dashboard/workload" },
  { label: "Relationship dashboard", path: "/dashboard/relationship" },
  { label: "Roundtable meetings", path: "/roundtable" },
  { label: "Meeting mode", path: "/roundtable/{meeting}" },
  { label: "Meeting entry", path: "/roundtable/{meeting}/clients/{client}" },
  { label: "Meeting minutes", path: "/roundtable/{meeting}/minutes" },
  { label: "Client roundtable history", path: "/clients/{client}/roundtable" },
  { label: "Pipeline", path: "/pipeline" },
  { label: "Leads", path: "/pipeline/leads" },
  { label: "New lead", path: "/pipeline/leads/new" },
  { label: "Import leads", path: "/pipeline/leads/import" },
  { label: "Lead", path: "/pipeline/leads/{lead}" },
  { label: "Edit lead", path: "/pipeline/leads/{lead}/edit" },
  { label: "Delete lead", path: "/pipeline/leads/{lead}/delete" },
  { label: "Prospects", path: "/pipeline/prospects" },
  { label: "Prospect board", path: "/pipeline/prospects/board" },
  { label: "New prospect", path: "/pipeline/prospects/new" },
  { label: "Prospect", path: "/pipeline/prospects/{prospect}" },
  { label: "Edit prospect", path: "/pipeline/prospects/{prospect}/edit" },
  { label: "Delete prospect", path: "/pipeline/prospects/{prospect}/delete" },
  { label: "New proposal", path: "/pipeline/prospects/{prospect}/proposals/new" },
  { label: "Proposals", path: "/pipeline/proposals" },
  { label: "Proposal", path: "/pipeline/proposals/{proposal}" },
  { label: "Edit proposal", path: "/pipeline/proposals/{proposal}/edit" },
  { label: "Printable proposal", path: "/pipeline/proposals/{proposal}/print" },
  { label: "Accept proposal", path: "/pipeline/proposals/{proposal}/accept" },
  { label: "Delete proposal", path: "/pipeline/proposals/{proposal}/delete" },
  { label: "Campaigns", path: "/pipeline/campaigns" },
  { label: "New campaign", path: "/pipeline/campaigns/new" },
  { label: "Campaign", path: "/pipeline/campaigns/{campaign}" },
  { label: "Edit campaign", path: "/pipeline/campaigns/{campaign}/edit" },
  { label: "Renewals", path: "/pipeline/renewals" },
  { label: "Feedback report", path: "/feedback" },
  { label: "Notifications", path: "/notifications" },
  { label: "Document types", path: "/admin/document-types" },
  { label: "Users", path: "/admin/users" },
  { label: "New user", path: "/admin/users/new" },
  { label: "User", path: "/admin/users/{user}" },
  { label: "Edit user", path: "/admin/users/{user}/edit" },
  { label: "Categories", path: "/admin/categories" },
  { label: "New category", path: "/admin/categories/new" },
  { label: "Edit category", path: "/admin/categories/{category}/edit" },
  { label: "Delete category", path: "/admin/categories/{category}/delete" },
  { label: "Case types", path: "/admin/case-types" },
  { label: "New case type", path: "/admin/case-types/new" },
  { label: "Case type", path: "/admin/case-types/{caseType}" },
  { label: "Edit case type", path: "/admin/case-types/{caseType}/edit" },
  { label: "Delete case type", path: "/admin/case-types/{caseType}/delete" },
  { label: "Case templates", path: "/admin/case-templates" },
  { label: "New case template", path: "/admin/case-templates/new" },
  { label: "Edit case template", path: "/admin/case-templates/{template}/edit" },
  { label: "Delete case template", path: "/admin/case-templates/{template}/delete" },
  { label: "Audit log", path: "/admin/audit" },
  { label: "Security", path: "/admin/security" },
  { label: "Two-factor sign-in", path: "/account/two-factor" },
  { label: "Forgot password", path: "/login/forgot", signedOut: true },
  { label: "Not found", path: "/clients/00000000-0000-4000-8000-000000000000", status: 404 },
];

export const SWEEP_VIEWPORTS = [
  { name: "desktop", width: 1366, height: 900 },
  { name: "phone", width: 390, height: 844 },
] as const;

/** axe-core impacts that fail the sweep. */
const FAILING_IMPACTS = new Set(["serious", "critical"]);
const SCREENS_DIR = path.resolve(import.meta.dirname, "../../test-results/screens");

const SWEEP = {
  category: "Sweep category",
  caseType: { name: "Sweep matter", code: "SWEEP" },
  template: { name: "Sweep workflow", code: "SWEEP-WF", first: "Intake", second: "Partner review" },
  user: { name: "Sweep Staffer", email: "sweep.staffer@example.test", password: "harbor quill 62 juniper atlas" },
  client: "Sweep Holdings International Ltd",
  contact: "Rosalind Sweep-Whitaker",
  case: "Sweep engagement with a long title that has to wrap on a phone",
  communication: "Sweep call about the quarterly review",
  document: "Sweep engagement letter",
  campaign: "Sweep spring webinar",
  lead: "Sweep Prospective Industries",
};

type SweepRecords = Record<
  "client" | "contact" | "case" | "caseType" | "template" | "category" | "user" | "communication" | "feedback" | "document" | "lead" | "prospect" | "proposal" | "campaign" | "meeting",
  string
>;

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const idIn = (page: Page, pattern: string) => {
  const id = new RegExp(pattern.replace("ID", `(${UUID})`)).exec(pathOf(page))?.[1];
  assert.ok(id, `an id in ${pathOf(page)} (expected ${pattern})`);
  return id;
};

/** The import form with two good rows, previewed. */
async function previewImport(page: Page) {
  await field(page, "CSV text").fill("name,clientType,email\nSweep Import One Ltd,organization,one@sweep-import.test\nSweep Import Two,individual,two@sweep-import.test\n");
  await andWaitForPage(page, () => page.getByRole("button", { name: "Preview import" }).click(), (url) => url.pathname === "/clients/import/preview");
}

/** The records the pages show, made through the app's forms. */
async function makeRecords(page: Page, adminEmail: string): Promise<SweepRecords> {
  await page.goto("/admin/categories/new");
  await field(page, "Name").fill(SWEEP.category);
  await andWaitForPage(page, () => page.getByRole("button", { name: "Create category" }).click());
  const categoryEdit = await page.getByRole("row").filter({ hasText: SWEEP.category }).locator('a[href$="/edit"]').first().getAttribute("href");
  const category = new RegExp(`/admin/categories/(${UUID})/edit`).exec(categoryEdit ?? "")?.[1];
  assert.ok(category, "the new category's edit link");

  await page.goto("/admin/case-types/new");
  await field(page, "Name").fill(SWEEP.caseType.name);
  await field(page, "Code").fill(SWEEP.caseType.code);
  await andWaitForPage(page, () => page.getByRole("button", { name: "Create case type" }).click(), (url) => new RegExp(`^/admin/case-types/${UUID}$`).test(url.pathname));
  const caseType = idIn(page, "^/admin/case-types/ID$");

  await andWaitForPage(page, () => page.getByRole("link", { name: "New template for this type" }).click(), (url) => url.pathname === "/admin/case-templates/new");
  await field(page, "Name").fill(SWEEP.template.name);
  await field(page, "Code").fill(SWEEP.template.code);
  await page.getByLabel("Stage row 1: name").fill(SWEEP.template.first);
  await page.getByLabel("Stage row 1: stage type").selectOption({ label: "Intake" });
  await page.getByLabel("Stage row 2: name").fill(SWEEP.template.second);
  await page.getByLabel("Stage row 2: stage type").selectOption({ label: "Approval" });
  await page.getByLabel("Stage row 2: approval required").check();
  await andWaitForPage(page, () => page.getByRole("button", { name: "Create template" }).click(), (url) => new RegExp(`^/admin/case-templates/${UUID}/edit$`).test(url.pathname));
  const template = idIn(page, "^/admin/case-templates/ID/edit$");

  await page.goto("/admin/users/new");
  await field(page, "Name").fill(SWEEP.user.name);
  await field(page, "Email").fill(SWEEP.user.email);
  await page.getByLabel("Role").selectOption({ label: "Staff" });
  await field(page, "Initial password").fill(SWEEP.user.password);
  await andWaitForPage(page, () => page.getByRole("button", { name: "Create user" }).click(), (url) => new RegExp(`^/admin/users/${UUID}$`).test(url.pathname));
  const user = idIn(page, "^/admin/users/ID$");

  await page.goto("/clients/new");
  await field(page, "Name").fill(SWEEP.client);
  await page.getByLabel(/^Type/).selectOption({ label: "Organization" });
  await field(page, "Email").fill("office@sweep-holdings-international.test");
  await andWaitForPage(page, () => page.getByRole("button", { name: "Create client" }).click(), (url) => new RegExp(`^/clients/${UUID}$`).test(url.pathname));
  const client = idIn(page, "^/clients/ID$");

  await page.goto(`/clients/${client}/contacts/new`);
  await field(page, "Name").fill(SWEEP.contact);
  await field(page, "Email").fill("rosalind.sweep-whitaker@sweep-holdings-international.test");
  await andWaitForPage(page, () => page.getByRole("button", { name: "Add contact" }).click(), (url) => url.pathname === `/clients/${client}`);
  const contactId = await page.locator("li.contact").filter({ hasText: SWEEP.contact }).getAttribute("id");
  const contact = /^contact-(.+)$/.exec(contactId ?? "")?.[1];
  assert.ok(contact, "the new contact's list item");

  await page.goto(`/cases/new?clientId=${client}`);
  await field(page, "Title").fill(SWEEP.case);
  await field(page, "Description").fill("A case made by the layout sweep, so that its pages have something to show.");
  await page.getByLabel(/^Case type/).selectOption({ label: SWEEP.caseType.name });
  await page.getByLabel("Workflow template").selectOption({ label: `${SWEEP.template.name} (2 stages)` });
  await andWaitForPage(page, () => page.getByRole("button", { name: "Open case" }).click(), (url) => new RegExp(`^/cases/${UUID}$`).test(url.pathname));
  const kase = idIn(page, "^/cases/ID$");
  await page.getByRole("status").filter({ hasText: /Case CASE-\d{4}-\d{6} opened\./ }).waitFor();

  return { client, contact, case: kase, caseType, template, category, user, ...(await makeFeatureRecords(page, client, adminEmail)) };
}

/** A communication, feedback, a document and the pipeline's records (lead, prospect, proposal, campaign), through their forms. */
async function makeFeatureRecords(page: Page, client: string, adminEmail: string) {
  const linkId = async (listPath: string, name: string, pattern: string) => {
    await page.goto(listPath);
    const href = await page.getByRole("link", { name, exact: true }).first().getAttribute("href");
    const id = new RegExp(pattern.replace("ID", `(${UUID})`)).exec(href ?? "")?.[1];
    assert.ok(id, `a link to "${name}" on ${listPath}`);
    return id;
  };

  await page.goto(`/clients/${client}/communications/new`);
  await page.getByLabel("Type").selectOption({ label: "Phone call" });
  await field(page, "Subject").fill(SWEEP.communication);
  await andWaitForPage(page, () => page.getByRole("button", { name: "Log it" }).click(), (url) => url.pathname !== `/clients/${client}/communications/new`);
  const communication = await linkId("/communications", SWEEP.communication, "^/communications/ID$");

  await page.goto(`/clients/${client}/feedback/new`);
  await field(page, "Period").selectOption({ index: 2 });
  for (const rating of ["Responsiveness", "Communication", "Requirements clarity", "Decision speed", "Overall satisfaction"]) {
    await page.getByRole("group", { name: new RegExp(`^${rating}`) }).getByRole("radio", { name: /^4 / }).check();
  }
  await field(page, "Written feedback").fill("Clear and prompt; the sweep's feedback.");
  await andWaitForPage(page, () => page.getByRole("button", { name: "Record feedback" }).click(), (url) => new RegExp(`^/clients/${client}/feedback/${UUID}$`).test(url.pathname));
  const feedback = idIn(page, `^/clients/${client}/feedback/ID$`);

  await page.goto(`/documents/new?client=${client}`);
  await page.getByLabel(/^Files/).setInputFiles({ name: "sweep-letter.pdf", mimeType: "application/pdf", buffer: pdfWithText("Sweep letter") });
  await field(page, "Title").fill(SWEEP.document);
  await page.getByLabel(/^Type/).selectOption({ label: "Correspondence" });
  await andWaitForPage(page, () => page.getByRole("button", { name: "Upload", exact: true }).click(), (url) => url.pathname !== "/documents/new");
  const document = await linkId("/documents", SWEEP.document, "^/documents/ID$");

  await page.goto("/pipeline/campaigns/new");
  await field(page, "Name").fill(SWEEP.campaign);
  await page.getByLabel(/^Type/).selectOption({ index: 1 });
  await field(page, "Start date").fill("2026-01-05");
  await field(page, "Budget").fill("2500");
  await andWaitForPage(page, () => page.getByRole("button", { name: "Save campaign" }).click(), (url) => url.pathname !== "/pipeline/campaigns/new");
  const campaign = await linkId("/pipeline/campaigns", SWEEP.campaign, "^/pipeline/campaigns/ID$");

  await page.goto("/pipeline/leads/new");
  await field(page, "Company").fill(SWEEP.lead);
  await field(page, "Source").selectOption({ label: "Referral" });
  await andWaitForPage(page, () => page.getByRole("button", { name: "Capture lead" }).click(), (url) => new RegExp(`^/pipeline/leads/${UUID}$`).test(url.pathname));
  const lead = idIn(page, "^/pipeline/leads/ID$");
  await andWaitForPage(page, () => page.getByRole("button", { name: "Qualify: make a prospect" }).click(), (url) => new RegExp(`^/pipeline/prospects/${UUID}$`).test(url.pathname));
  const prospect = idIn(page, "^/pipeline/prospects/ID$");
  await andWaitForPage(page, () => page.getByRole("link", { name: "New proposal" }).click(), (url) => url.pathname.endsWith("/proposals/new"));
  await field(page, "Amount").fill("18,500");
  await field(page, "Scope").fill("Sweep retainer\nQuarterly reviews and a written report.");
  await andWaitForPage(page, () => page.getByRole("button", { name: "Draft proposal" }).click(), (url) => new RegExp(`^/pipeline/proposals/${UUID}$`).test(url.pathname));
  const proposal = idIn(page, "^/pipeline/proposals/ID$");

  // The roundtable and the relationship dashboard are the relationship team's: the admin joins it, gives the client a
  // priority (so meeting mode lists it), starts a meeting and saves an entry with an action item.
  await page.goto("/admin/users");
  await andWaitForPage(page, () => page.getByRole("row").filter({ hasText: adminEmail }).getByRole("link").first().click(), (url) => new RegExp(`^/admin/users/${UUID}$`).test(url.pathname));
  await page.goto(`${pathOf(page)}/edit`);
  await checkbox(page, "Relationship team").check();
  await andWaitForPage(page, () => page.getByRole("button", { name: "Save changes" }).click(), (url) => !url.pathname.endsWith("/edit"));
  await page.goto(`/clients/${client}/edit`);
  await page.getByLabel("Priority").selectOption({ label: "High" });
  await andWaitForPage(page, () => page.getByRole("button", { name: "Save client" }).click(), (url) => url.pathname === `/clients/${client}`);
  await page.goto("/roundtable");
  await page.locator('input[name="attendeeIds"]').first().check();
  await field(page, "Agenda (optional)").fill("Sweep walk-through of the high-priority clients");
  await andWaitForPage(page, () => page.getByRole("button", { name: "Start the meeting" }).click(), (url) => new RegExp(`^/roundtable/${UUID}$`).test(url.pathname));
  const meeting = idIn(page, "^/roundtable/ID$");
  await page.goto(`/roundtable/${meeting}/clients/${client}`);
  await field(page, "Discussion").fill("Renewal talks start in spring; the sweep's entry.");
  // With JavaScript the entry saves in place (and as it is typed).
  await page.getByRole("button", { name: "Save entry" }).click();
  await page.getByText(/Entry saved/).waitFor();

  return { communication, feedback, document, lead, prospect, proposal, campaign, meeting };
}

function addressOf(entry: SweepPage, records: SweepRecords) {
  return entry.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const id = records[name as keyof SweepRecords];
    if (!id) throw new Error(`the sweep makes no record "${name}" (in ${entry.path})`);
    return id;
  });
}

function slug(text: string) {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

interface Overflow {
  width: number;
  scrollWidth: number;
  culprits: { what: string; right: number }[];
}

/**
 * In the page (as text: the project's TypeScript has no DOM types): the viewport's width, the page's, and the elements
 * that reach past the right edge, the farthest first, to name in a failure.
 */
const OVERFLOW_IN_PAGE = `(() => {
  const width = document.documentElement.clientWidth;
  const scrollWidth = document.documentElement.scrollWidth;
  const culprits = [];
  if (scrollWidth > width) {
    for (const el of document.body.querySelectorAll("*")) {
      const right = Math.round(el.getBoundingClientRect().right + window.scrollX);
      if (right <= width) continue;
      const cls = typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\\s+/).join(".") : "";
      culprits.push({ what: el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + cls, right });
    }
    culprits.sort((a, b) => b.right - a.right);
  }
  return { width, scrollWidth, culprits: culprits.slice(0, 5) };
})()`;

async function overflowOf(page: Page): Promise<Overflow> {
  return page.evaluate(OVERFLOW_IN_PAGE) as Promise<Overflow>;
}

interface Problem {
  viewport: string;
  label: string;
  address: string;
  text: string;
}

async function sweepAt(browser: Browser, ctx: E2eContext, viewport: (typeof SWEEP_VIEWPORTS)[number], records: SweepRecords, problems: Problem[]) {
  const dir = path.join(SCREENS_DIR, viewport.name);
  await mkdir(dir, { recursive: true });
  const size = { width: viewport.width, height: viewport.height };
  const signedIn = await browser.newContext({ baseURL: ctx.baseUrl, viewport: size });
  const signedOut = await browser.newContext({ baseURL: ctx.baseUrl, viewport: size });
  try {
    const page = await signedIn.newPage();
    const anonymous = await signedOut.newPage();
    for (const p of [page, anonymous]) {
      p.setDefaultTimeout(15_000);
      p.setDefaultNavigationTimeout(30_000);
    }
    await signInAdmin(page, ctx.admin);
    let n = 0;
    for (const entry of SWEEP_PAGES) {
      n += 1;
      const address = addressOf(entry, records);
      const tab = entry.signedOut ? anonymous : page;
      await ctx.step(`${viewport.name} ${viewport.width}x${viewport.height}: ${entry.label} (${entry.path})`, async () => {
        const response = await tab.goto(address);
        assert.equal(response?.status(), entry.status ?? 200, `${address} answers ${entry.status ?? 200}`);
        await entry.then?.(tab);
        // Long pages on a busy machine take a while to capture whole.
        await tab.screenshot({ path: path.join(dir, `${String(n).padStart(2, "0")}-${slug(entry.label)}.png`), fullPage: true, timeout: 60_000 });
        const found: string[] = [];
        const overflow = await overflowOf(tab);
        if (overflow.scrollWidth > overflow.width) {
          found.push(`the page is ${overflow.scrollWidth} px wide in a ${overflow.width} px viewport; widest: ${overflow.culprits.map((c) => `${c.what} (to ${c.right} px)`).join(", ")}`);
        }
        const axe = await new AxeBuilder({ page: tab }).analyze();
        for (const v of axe.violations.filter((v) => FAILING_IMPACTS.has(v.impact ?? ""))) {
          found.push(`axe ${v.impact} ${v.id}: ${v.help} (${v.nodes.length}×: ${v.nodes.slice(0, 3).map((node) => node.target.join(" ")).join(" | ")})`);
        }
        for (const text of found) {
          problems.push({ viewport: viewport.name, label: entry.label, address, text });
          console.log(`    ! ${text}`);
        }
      });
    }
  } finally {
    await signedIn.close().catch(() => undefined);
    await signedOut.close().catch(() => undefined);
  }
}

export const sweep: E2eTest = {
  name: "sweep: every page at 1366x900 and 390x844 fits the screen and passes axe-core (no serious or critical issue)",
  async run(ctx) {
    const { page, browser, step } = ctx;
    await step("admin signs in", () => signInAdmin(page, ctx.admin));
    const records = await step("admin makes the records the pages show (category, case type, template, user, client, contact, case)", () => makeRecords(page, ctx.admin.email));

    await step("on a phone the navigation is behind a Menu button, which opens it without JavaScript too", async () => {
      for (const javaScriptEnabled of [true, false]) {
        const phone = await browser.newContext({ baseURL: ctx.baseUrl, viewport: { width: 390, height: 844 }, javaScriptEnabled });
        try {
          const p = await phone.newPage();
          await signIn(p, ctx.admin.email, ctx.admin.password);
          const clients = mainNav(p).getByRole("link", { name: "Clients", exact: true });
          assert.equal(await clients.isVisible(), false, `the navigation starts folded (JavaScript ${javaScriptEnabled ? "on" : "off"})`);
          await p.getByRole("banner").locator("summary").filter({ hasText: "Menu" }).click();
          await andWaitForPage(p, () => clients.click(), (url) => url.pathname === "/clients");
        } finally {
          await phone.close();
        }
      }
      assert.ok(await mainNav(page).getByRole("link", { name: "Clients", exact: true }).isVisible(), "on a desktop the navigation is always shown");
    });

    const problems: Problem[] = [];
    for (const viewport of SWEEP_VIEWPORTS) await sweepAt(browser, ctx, viewport, records, problems);
    console.log(`    screenshots: ${path.relative(process.cwd(), SCREENS_DIR)}/{${SWEEP_VIEWPORTS.map((v) => v.name).join(",")}}/`);
    await step(`no page scrolls sideways or has a serious or critical axe-core violation (${SWEEP_PAGES.length} pages × ${SWEEP_VIEWPORTS.length} sizes)`, async () => {
      assert.equal(problems.length, 0, `${problems.length} problem(s):\n${problems.map((p) => `  ${p.viewport} ${p.label} (${p.address}): ${p.text}`).join("\n")}`);
    });
  },
};
