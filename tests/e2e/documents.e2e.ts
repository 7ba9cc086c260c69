// Documents, end to end in a real browser: an admin opens a case, uploads a PDF on its Documents tab (the upload
// goes through the page's script, with its progress bar), uploads a second version on the document's page, checks
// the preview is served inline as a PDF under a strict policy, downloads the older version and gets its exact bytes;
// then a staff user who is not on the case gets the not-found page for the document and its download.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import type { E2eTest } from "./run.ts";
import { andWaitForPage, changePassword, field, flashMessage, logOut, mainNav, signIn, signInAdmin } from "./helpers.ts";
import { pdfWithText } from "../documents/support.ts";

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const TYPE = { name: "Document matter", code: "DOC-MATTER" };
const CLIENT = "Fjord Legal Holdings";
const OUTSIDER = { name: "Olga Outside", email: "olga.outside@example.test", initialPassword: "pebble harbor 73 violet summit", newPassword: "orchard copper 19 basil thunder" };
const V1 = pdfWithText("Engagement letter, first draft");
const V2 = pdfWithText("Engagement letter, signed by both parties");

export const documents: E2eTest = {
  name: "documents: upload two versions of a PDF to a case, preview, download the older version, hidden from staff off the case",
  async run({ page, admin, step, screenshot }) {
    const adminName = await step("admin signs in", () => signInAdmin(page, admin));

    await step("admin creates a case type and a staff user who will not be on the case", async () => {
      await page.goto("/admin/case-types/new");
      await field(page, "Name").fill(TYPE.name);
      await field(page, "Code").fill(TYPE.code);
      await andWaitForPage(page, () => page.getByRole("button", { name: "Create case type" }).click(), (url) => new RegExp(`^/admin/case-types/${UUID}$`).test(url.pathname));
      await page.goto("/admin/users/new");
      await field(page, "Name").fill(OUTSIDER.name);
      await field(page, "Email").fill(OUTSIDER.email);
      await page.getByLabel("Role").selectOption({ label: "Staff" });
      await field(page, "Initial password").fill(OUTSIDER.initialPassword);
      await andWaitForPage(page, () => page.getByRole("button", { name: "Create user" }).click(), (url) => new RegExp(`^/admin/users/${UUID}$`).test(url.pathname));
    });

    const caseId = await step(`admin opens a case for ${CLIENT}`, async () => {
      await page.goto("/clients/new");
      await field(page, "Name").fill(CLIENT);
      await andWaitForPage(page, () => page.getByRole("button", { name: "Create client" }).click(), (url) => new RegExp(`^/clients/${UUID}$`).test(url.pathname));
      await andWaitForPage(page, () => page.locator("#cases").getByRole("link", { name: "Open a case" }).click(), (url) => url.pathname === "/cases/new");
      await field(page, "Title").fill("Engagement of Fjord Legal");
      await field(page, "Description").fill("Engagement and onboarding.");
      await page.getByLabel(/^Case type/).selectOption({ label: TYPE.name });
      await andWaitForPage(page, () => page.getByRole("button", { name: "Open case" }).click(), (url) => new RegExp(`^/cases/${UUID}$`).test(url.pathname));
      return new URL(page.url()).pathname.split("/")[2]!;
    });

    const documentId = await step("on the case's Documents tab, admin uploads the PDF (script upload with a progress bar)", async () => {
      await andWaitForPage(page, () => page.getByRole("navigation", { name: "Sections of this case" }).getByRole("link", { name: "Documents" }).click(), (url) => url.pathname === `/cases/${caseId}/documents`);
      await page.getByText("No documents on this case yet").waitFor();
      await page.getByLabel(/^Files/).setInputFiles({ name: "engagement-letter.pdf", mimeType: "application/pdf", buffer: V1 });
      await field(page, "Title").fill("Engagement letter");
      await page.getByLabel(/^Type/).selectOption({ label: "Engagement agreement" });
      await andWaitForPage(page, () => page.getByRole("button", { name: "Upload", exact: true }).click(), (url) => url.pathname === `/cases/${caseId}/documents`);
      await flashMessage(page, "“Engagement letter” uploaded.").waitFor();
      const link = page.locator("[data-document-list]").getByRole("link", { name: "Engagement letter" });
      await andWaitForPage(page, () => link.click(), (url) => new RegExp(`^/documents/${UUID}$`).test(url.pathname));
      return new URL(page.url()).pathname.split("/")[2]!;
    });

    await step("admin uploads a second version on the document's page; both versions are listed with their checksums", async () => {
      await page.getByLabel("Upload a new version").setInputFiles({ name: "engagement-letter-signed.pdf", mimeType: "application/pdf", buffer: V2 });
      await andWaitForPage(page, () => page.getByRole("button", { name: "Upload version" }).click(), (url) => url.pathname === `/documents/${documentId}`);
      await page.locator('tr[data-version="2"]').getByText("2 (latest)").waitFor();
      await page.locator('tr[data-version="1"]').getByText("engagement-letter.pdf").waitFor();
      await screenshot("documents-versions");
    });

    await step("the preview is served inline as a PDF, with nosniff and a policy that allows nothing to run", async () => {
      const href = await page.getByRole("link", { name: "Preview", exact: true }).first().getAttribute("href");
      assert.equal(href, `/documents/${documentId}/preview`);
      const response = await page.request.get(href!);
      assert.equal(response.status(), 200);
      assert.equal(response.headers()["content-type"], "application/pdf");
      assert.match(response.headers()["content-disposition"] ?? "", /^inline; filename="engagement-letter-signed.pdf"/);
      assert.equal(response.headers()["x-content-type-options"], "nosniff");
      assert.match(response.headers()["content-security-policy"] ?? "", /default-src 'none'/);
      assert.deepEqual(await response.body(), V2);
    });

    await step("admin downloads the older version and gets its exact bytes under its own name", async () => {
      const [download] = await Promise.all([page.waitForEvent("download"), page.locator('tr[data-version="1"]').getByRole("link", { name: "Download" }).click()]);
      assert.equal(download.suggestedFilename(), "engagement-letter.pdf");
      assert.deepEqual(await readFile((await download.path())!), V1);
    });

    await step(`${OUTSIDER.name}, staff and not on the case, gets the not-found page for the document and its file`, async () => {
      await logOut(page, adminName);
      await signIn(page, OUTSIDER.email, OUTSIDER.initialPassword);
      await changePassword(page, OUTSIDER.initialPassword, OUTSIDER.newPassword);
      const response = await page.goto(`/documents/${documentId}`);
      assert.equal(response?.status(), 404);
      await page.getByRole("heading", { name: "Page not found" }).waitFor();
      assert.equal(await page.getByText("Engagement letter").count(), 0, "the title does not show");
      assert.equal((await page.request.get(`/documents/${documentId}/versions/1/download`)).status(), 404);
      await andWaitForPage(page, () => mainNav(page).getByRole("link", { name: "Documents", exact: true }).click(), (url) => url.pathname === "/documents");
      assert.equal(await page.getByText("Engagement letter").count(), 0, "not in the list either");
      await logOut(page, OUTSIDER.name);
    });
  },
};
