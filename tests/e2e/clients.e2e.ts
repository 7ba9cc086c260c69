// Clients and contacts, end to end in a real browser: an organization client with two contacts, moving the primary
// contact, a misspelled search, an edit, the CSV export; then a restricted client that a staff member outside its
// team must not find anywhere (list, search, export, its own address).
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parse } from "csv-parse/sync";
import type { Page } from "playwright-core";
import type { E2eContext, E2eTest } from "./run.ts";
import { andWaitForPage, changePassword, checkbox, expectForcedPasswordChange, field, flashMessage, logOut, mainNav, pathOf, signIn, signInAdmin } from "./helpers.ts";

const RESULTS_DIR = path.resolve(import.meta.dirname, "../../test-results");

const CLIENT = {
  name: "Hartwell Maritime Logistics",
  misspelled: "Hartwel Maritme",
  email: "info@hartwell-maritime.test",
  taxId: "HM-4471-22",
  phone: "+44 20 7946 0321",
  city: "Southampton",
  newPhone: "+44 20 7946 0999",
  newCity: "Portsmouth",
};
const CONTACTS = [
  { name: "Priya Raman", title: "Chief Financial Officer", email: "priya.raman@hartwell-maritime.test", phone: "+44 20 7946 0400" },
  { name: "Tomasz Nowak", title: "Operations Director", email: "tomasz.nowak@hartwell-maritime.test", phone: "+44 20 7946 0401" },
] as const;
/** Same email domain as CLIENT: the duplicate warning is expected, and is confirmed away. */
const RESTRICTED = { name: "Hartwell Maritime Trust", email: "trust@hartwell-maritime.test" };
const OUTSIDER = {
  name: "Olive Outsider",
  email: "olive.outsider@example.test",
  initialPassword: "quartz lantern 58 meadow falcon",
  newPassword: "velvet canyon 73 harbor sparrow",
};

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const CLIENT_PAGE = new RegExp(`^/clients/(${UUID})$`);
const CODE = /CLT-\d{4}-\d{4,}/;

const isClientPage = (url: URL) => CLIENT_PAGE.test(url.pathname);
const clientIdOf = (page: Page) => CLIENT_PAGE.exec(pathOf(page))![1]!;

async function openClientList(page: Page) {
  await andWaitForPage(page, () => mainNav(page).getByRole("link", { name: "Clients", exact: true }).click(), (url) => url.pathname === "/clients");
  await page.getByRole("heading", { level: 1, name: "Clients" }).waitFor();
}

/** Searches the client list (the Search field and Apply) and waits for the results page. */
async function searchClients(page: Page, query: string) {
  await page.getByRole("searchbox", { name: "Search" }).fill(query);
  await andWaitForPage(page, () => page.getByRole("search").getByRole("button", { name: "Apply" }).click(), (url) => url.pathname === "/clients" && url.searchParams.get("q") === query);
  await page.getByRole("status").filter({ hasText: /\d+ clients? match(es)? these filters/ }).waitFor();
}

/** A client's link in the list's table. */
function clientLink(page: Page, name: string) {
  return page.getByRole("table").getByRole("link", { name, exact: true });
}

/**
 * Submits the new-client form; when it warns of a possible duplicate, runs `onDuplicate` (for checks of the warning
 * page), ticks "This is not a duplicate" and saves again.
 */
async function createClientFromForm(page: Page, onDuplicate?: () => Promise<void>): Promise<{ id: string; code: string; duplicateWarning: boolean }> {
  const create = () => page.getByRole("button", { name: "Create client" }).click();
  await andWaitForPage(page, create, (url) => isClientPage(url) || url.pathname === "/clients");
  let duplicateWarning = false;
  if (!isClientPage(new URL(page.url()))) {
    const warning = page.getByRole("alert").filter({ hasText: "This client may already exist." });
    if ((await warning.count()) === 0) throw new Error(`the new client was not saved: ${(await page.getByRole("alert").allInnerTexts()).join(" | ") || "no message"}`);
    duplicateWarning = true;
    await onDuplicate?.();
    await checkbox(page, "This is not a duplicate").check();
    await andWaitForPage(page, create, isClientPage);
  }
  const created = await page.getByRole("status").filter({ hasText: /Client .+ created as CLT-/ }).innerText();
  const code = CODE.exec(created)?.[0];
  assert.ok(code, `the confirmation names the new client code: "${created}"`);
  return { id: clientIdOf(page), code, duplicateWarning };
}

function contactsSection(page: Page) {
  return page.getByRole("region", { name: /^Contacts/ });
}

function contactItem(page: Page, name: string) {
  return contactsSection(page).getByRole("listitem").filter({ has: page.getByText(name, { exact: true }) });
}

function primaryBadge(page: Page, name: string) {
  return contactItem(page, name).getByText("Primary", { exact: true });
}

async function addContact(page: Page, clientId: string, contact: (typeof CONTACTS)[number], primary: boolean) {
  await andWaitForPage(page, () => contactsSection(page).getByRole("link", { name: "Add contact", exact: true }).click(), (url) => url.pathname === `/clients/${clientId}/contacts/new`);
  await page.getByRole("heading", { level: 1, name: `New contact at ${CLIENT.name}` }).waitFor();
  await field(page, "Name").fill(contact.name);
  await field(page, "Title").fill(contact.title);
  await field(page, "Email").fill(contact.email);
  await field(page, "Phone").fill(contact.phone);
  assert.ok(await checkbox(page, "Active").isChecked(), "a new contact starts active");
  if (primary) await checkbox(page, "Primary contact").check();
  await andWaitForPage(page, () => page.getByRole("button", { name: "Add contact" }).click(), (url) => url.pathname === `/clients/${clientId}`);
  await flashMessage(page, `Contact ${contact.name} added${primary ? " as the primary contact" : ""}.`).waitFor();
  await contactItem(page, contact.name).waitFor();
}

/** Downloads the list's "Export CSV" as `fileName` in test-results/ and returns its rows by column name. */
async function exportCsv(page: Page, fileName: string): Promise<Record<string, string>[]> {
  const [download] = await Promise.all([page.waitForEvent("download", { timeout: 30_000 }), page.getByRole("link", { name: "Export CSV", exact: true }).click()]);
  assert.match(download.suggestedFilename(), /^clients-\d{4}-\d{2}-\d{2}\.csv$/);
  const file = path.join(RESULTS_DIR, fileName);
  await download.saveAs(file);
  assert.equal(await download.failure(), null, "the download completed");
  return parse(await readFile(file, "utf8"), { bom: true, columns: true, skip_empty_lines: true }) as Record<string, string>[];
}

async function expectAbsent(page: Page, name: string, where: string) {
  assert.equal(await page.getByRole("link", { name, exact: true }).count(), 0, `no link to ${name} in ${where}`);
  assert.equal(await page.getByText(name).count(), 0, `${name} is not mentioned in ${where}`);
}

export const clients: E2eTest = {
  name: "clients: an organization with contacts, search, edit, export, and a restricted client staff cannot find",
  async run({ page, admin, step, screenshot }) {
    let adminName = "";
    let client = { id: "", code: "" };
    let restricted = { id: "", code: "" };

    await step("admin signs in", async () => {
      adminName = await signInAdmin(page, admin);
    });

    await step(`admin creates the organization client ${CLIENT.name} (Clients > New client)`, async () => {
      await openClientList(page);
      await andWaitForPage(page, () => page.getByRole("link", { name: "New client", exact: true }).first().click(), (url) => url.pathname === "/clients/new");
      await page.getByRole("heading", { level: 1, name: "New client" }).waitFor();
      await field(page, "Type").selectOption({ label: "Organization" });
      // Organization-only fields show for an organization; the individual-only ones are hidden and not sent.
      await field(page, "Tax id").waitFor({ state: "visible" });
      await field(page, "Date of birth").waitFor({ state: "hidden" });
      await field(page, "Name").fill(CLIENT.name);
      await field(page, "Email").fill(CLIENT.email);
      await field(page, "Phone").fill(CLIENT.phone);
      // The postal address is folded on a new client (it keeps the form short on a phone).
      await page.locator("summary").filter({ hasText: "Postal address" }).click();
      await field(page, "City").fill(CLIENT.city);
      await field(page, "Tax id").fill(CLIENT.taxId);
      assert.equal(await checkbox(page, "Restricted").isChecked(), false, "a new client is not restricted unless ticked");
      const result = await createClientFromForm(page);
      client = { id: result.id, code: result.code };
      await page.getByRole("heading", { level: 1, name: new RegExp(`^${CLIENT.name}`) }).waitFor();
      await page.getByText(client.code, { exact: true }).waitFor();
      await page.getByRole("definition").filter({ hasText: CLIENT.taxId }).waitFor();
      await contactsSection(page).getByText("No contacts yet").waitFor();
      console.log(`    ${CLIENT.name} is ${client.code}${result.duplicateWarning ? " (after confirming a duplicate warning)" : ""}`);
    });

    await step(`admin adds two contacts: ${CONTACTS[0].name} as primary, then ${CONTACTS[1].name}`, async () => {
      await addContact(page, client.id, CONTACTS[0], true);
      await addContact(page, client.id, CONTACTS[1], false);
      await contactsSection(page).getByRole("heading", { name: "Contacts (2)" }).waitFor();
      await primaryBadge(page, CONTACTS[0].name).waitFor();
      assert.equal(await primaryBadge(page, CONTACTS[1].name).count(), 0, `${CONTACTS[1].name} is not primary yet`);
      assert.equal(await contactItem(page, CONTACTS[0].name).getByRole("button", { name: /^Make primary/ }).count(), 0, "the primary contact has no Make primary button");
    });

    await step(`admin makes ${CONTACTS[1].name} the primary contact and the badge moves`, async () => {
      await andWaitForPage(page, () => page.getByRole("button", { name: `Make primary: ${CONTACTS[1].name}` }).click(), (url) => url.pathname === `/clients/${client.id}`);
      await flashMessage(page, `${CONTACTS[1].name} is now the primary contact instead of ${CONTACTS[0].name}.`).waitFor();
      await primaryBadge(page, CONTACTS[1].name).waitFor();
      assert.equal(await primaryBadge(page, CONTACTS[0].name).count(), 0, `${CONTACTS[0].name} is no longer primary`);
      assert.equal(await contactsSection(page).getByText("Primary", { exact: true }).count(), 1, "exactly one primary contact");
      await page.getByRole("button", { name: `Make primary: ${CONTACTS[0].name}` }).waitFor();
    });

    await step(`admin finds the client by the misspelled search "${CLIENT.misspelled}"`, async () => {
      await openClientList(page);
      await searchClients(page, CLIENT.misspelled);
      await clientLink(page, CLIENT.name).waitFor();
      await page.getByRole("table").getByRole("row").filter({ hasText: client.code }).waitFor();
    });

    await step("admin opens the client, edits phone and city, and sees them saved", async () => {
      await andWaitForPage(page, () => clientLink(page, CLIENT.name).click(), (url) => url.pathname === `/clients/${client.id}`);
      await andWaitForPage(page, () => page.getByRole("link", { name: "Edit", exact: true }).click(), (url) => url.pathname === `/clients/${client.id}/edit`);
      await page.getByRole("heading", { level: 1, name: `Edit ${CLIENT.name}` }).waitFor();
      assert.equal(await field(page, "Phone").inputValue(), CLIENT.phone, "the edit form shows the saved phone");
      assert.equal(await field(page, "Tax id").inputValue(), CLIENT.taxId, "the edit form shows the saved tax id");
      await field(page, "Phone").fill(CLIENT.newPhone);
      await field(page, "City").fill(CLIENT.newCity);
      await andWaitForPage(page, () => page.getByRole("button", { name: "Save client" }).click(), (url) => url.pathname === `/clients/${client.id}`);
      await flashMessage(page, "Client saved.").waitFor();
      await page.getByRole("definition").filter({ hasText: CLIENT.newPhone }).waitFor();
      await page.getByRole("definition").filter({ hasText: CLIENT.newCity }).waitFor();
      assert.equal(await page.getByText(CLIENT.phone).count(), 0, "the old phone is gone");
      // The contacts are untouched by editing the client.
      await primaryBadge(page, CONTACTS[1].name).waitFor();
    });

    await step("admin exports the client list as CSV and it holds the client's name, code and new values", async () => {
      await openClientList(page);
      const rows = await exportCsv(page, "clients-export-admin.csv");
      const row = rows.find((r) => r.clientCode === client.code);
      assert.ok(row, `the export has a row for ${client.code} (got ${rows.map((r) => r.clientCode).join(", ") || "no rows"})`);
      assert.equal(row.name, CLIENT.name);
      assert.equal(row.clientType, "organization");
      assert.equal(row.taxId, CLIENT.taxId);
      // Cells a spreadsheet would run as a formula (starting with = + - @) are exported behind a quote, "+44" too.
      assert.equal(row.phone, `'${CLIENT.newPhone}`);
      assert.equal(row.city, CLIENT.newCity);
      assert.equal(row.restricted, "no");
    });

    await step(`admin creates the restricted client ${RESTRICTED.name}, without anyone else on its team`, async () => {
      await andWaitForPage(page, () => page.getByRole("link", { name: "New client", exact: true }).first().click(), (url) => url.pathname === "/clients/new");
      await field(page, "Type").selectOption({ label: "Organization" });
      await field(page, "Name").fill(RESTRICTED.name);
      await field(page, "Email").fill(RESTRICTED.email);
      await checkbox(page, "Restricted").check();
      assert.equal(await field(page, "Team members").locator("option:checked").count(), 0, "no team members chosen");
      const result = await createClientFromForm(page, async () => {
        // Same email domain as the first client: the form names it, and keeps everything typed, the restriction too.
        await page.getByRole("alert").filter({ hasText: "This client may already exist." }).getByRole("link", { name: CLIENT.name }).waitFor();
        assert.ok(await checkbox(page, "Restricted").isChecked(), "the restriction survives the duplicate warning");
        assert.equal(await field(page, "Name").inputValue(), RESTRICTED.name);
      });
      assert.ok(result.duplicateWarning, "the duplicate warning was confirmed away");
      restricted = { id: result.id, code: result.code };
      await page.getByRole("heading", { level: 1, name: new RegExp(`^${RESTRICTED.name}`) }).getByText("Restricted", { exact: true }).waitFor();
      await page.getByRole("definition").filter({ hasText: "restricted to its team" }).waitFor();
      console.log(`    ${RESTRICTED.name} is ${restricted.code}, restricted`);
    });

    await step("the admin, its account manager, sees the restricted client in the list", async () => {
      await openClientList(page);
      await page.getByRole("table").getByRole("row").filter({ has: page.getByRole("link", { name: RESTRICTED.name, exact: true }) }).getByText("Restricted", { exact: true }).waitFor();
      await clientLink(page, CLIENT.name).waitFor();
    });

    await step(`admin creates staff user ${OUTSIDER.email} (Admin > Users > New user)`, async () => {
      await andWaitForPage(page, () => mainNav(page).getByRole("link", { name: "Users", exact: true }).click(), (url) => url.pathname === "/admin/users");
      await andWaitForPage(page, () => page.getByRole("link", { name: "New user", exact: true }).click(), (url) => url.pathname === "/admin/users/new");
      await field(page, "Name").fill(OUTSIDER.name);
      await field(page, "Email").fill(OUTSIDER.email);
      await page.getByLabel("Role").selectOption({ label: "Staff" });
      assert.equal(await checkbox(page, "View confidential clients").isChecked(), false, "the staff user may not view confidential clients");
      await field(page, "Initial password").fill(OUTSIDER.initialPassword);
      await andWaitForPage(page, () => page.getByRole("button", { name: "Create user" }).click(), (url) => new RegExp(`^/admin/users/${UUID}$`).test(url.pathname));
      await flashMessage(page, `User ${OUTSIDER.email} created.`).waitFor();
      await page.getByRole("heading", { level: 1, name: OUTSIDER.name }).waitFor();
    });

    await step("admin logs out", async () => {
      await logOut(page, adminName);
    });

    await step(`${OUTSIDER.name} signs in and changes the initial password`, async () => {
      await signIn(page, OUTSIDER.email, OUTSIDER.initialPassword);
      await expectForcedPasswordChange(page);
      await changePassword(page, OUTSIDER.initialPassword, OUTSIDER.newPassword);
      await page.getByText(`Signed in as ${OUTSIDER.email} (Staff`).waitFor();
    });

    await step("staff sees the unrestricted client in the list, but not the restricted one", async () => {
      await openClientList(page);
      await clientLink(page, CLIENT.name).waitFor();
      await expectAbsent(page, RESTRICTED.name, "the client list");
      assert.equal(await page.getByRole("table").getByText(restricted.code, { exact: true }).count(), 0, "the restricted client's code is not listed");
      assert.equal(await page.getByRole("link", { name: "New client" }).count(), 0, "staff are not offered New client");
    });

    await step("staff's searches find the unrestricted client and never the restricted one", async () => {
      // The misspelled search matches both names: only the visible one comes back.
      await searchClients(page, CLIENT.misspelled);
      await clientLink(page, CLIENT.name).waitFor();
      await expectAbsent(page, RESTRICTED.name, `the search for "${CLIENT.misspelled}"`);
      await searchClients(page, RESTRICTED.name);
      await expectAbsent(page, RESTRICTED.name, `the search for "${RESTRICTED.name}"`);
      await searchClients(page, restricted.code);
      await expectAbsent(page, RESTRICTED.name, `the search for ${restricted.code}`);
      const suggestions = await page.request.get(`/clients/autocomplete?q=${encodeURIComponent(RESTRICTED.name)}`);
      assert.equal(suggestions.status(), 200);
      assert.ok(!(await suggestions.text()).includes(RESTRICTED.name), "the autocomplete does not suggest the restricted client");
    });

    await step("staff's CSV export holds the unrestricted client only", async () => {
      await openClientList(page);
      const rows = await exportCsv(page, "clients-export-staff.csv");
      assert.ok(rows.some((r) => r.clientCode === client.code && r.name === CLIENT.name), `the export has ${client.code}`);
      assert.ok(!rows.some((r) => r.clientCode === restricted.code || r.name === RESTRICTED.name), "the export leaves the restricted client out");
    });

    await step("staff opening the restricted client's address gets the not-found page", async () => {
      const response = await page.goto(`/clients/${restricted.id}`);
      assert.equal(response?.status(), 404);
      await page.getByRole("heading", { level: 1, name: "Page not found" }).waitFor();
      await expectAbsent(page, RESTRICTED.name, "the not-found page");
      const edit = await page.goto(`/clients/${restricted.id}/edit`);
      assert.equal(edit?.status(), 404, "its edit form is not found either");
      await page.getByRole("heading", { level: 1, name: "Page not found" }).waitFor();
    });

    await step("staff opens the unrestricted client", async () => {
      const response = await page.goto(`/clients/${client.id}`);
      assert.equal(response?.status(), 200);
      await page.getByRole("heading", { level: 1, name: new RegExp(`^${CLIENT.name}`) }).waitFor();
      await primaryBadge(page, CONTACTS[1].name).waitFor();
    });

    await step("screenshot of the staff's client list", async () => {
      await openClientList(page);
      await clientLink(page, CLIENT.name).waitFor();
      console.log(`    saved ${await screenshot("clients-staff-list")}`);
    });
  },
};
