// Browser steps the end-to-end tests share: fields by label, signing in and out, the forced password change.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import type { E2eContext } from "./run.ts";

/** Used only when a test runs without the foundation test before it (which changes the first admin's password). */
const ADMIN_FALLBACK_PASSWORD = "lantern copper 57 fjord meadow";

function escapeRegExp(text: string) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A form field by its whole label; required fields' labels end in an asterisk hidden from screen readers. */
export function field(page: Page, label: string) {
  return page.getByLabel(new RegExp(`^${escapeRegExp(label)}(\\s*\\*)?$`));
}

/** A checkbox by the start of its label (checkbox labels go on with a hint in brackets or after a colon). */
export function checkbox(page: Page, labelStart: string) {
  return page.getByRole("checkbox", { name: new RegExp(`^${escapeRegExp(labelStart)}`) });
}

export function pathOf(page: Page) {
  return new URL(page.url()).pathname;
}

/** A flash message (role status, or alert for errors) with exactly this text. */
export function flashMessage(page: Page, text: string, role: "status" | "alert" = "status") {
  return page.getByRole(role).filter({ hasText: text });
}

export async function signIn(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByRole("heading", { name: "Sign in to Clientdesk" }).waitFor();
  await field(page, "Email").fill(email);
  await field(page, "Password").fill(password);
  await Promise.all([page.waitForURL((url) => url.pathname !== "/login"), page.getByRole("button", { name: "Sign in" }).click()]);
}

/** After a first sign-in every page leads to the change-password form, which says why. */
export async function expectForcedPasswordChange(page: Page) {
  assert.equal(pathOf(page), "/account/password");
  await page.getByRole("heading", { name: "Change password" }).waitFor();
  await page.getByText("Your password was set by someone else").waitFor();
  await page.getByRole("status").filter({ hasText: "Choose a new password to continue." }).waitFor();
  // The navigation is withheld until the password is changed, and other pages send the user back here.
  assert.equal(await page.getByRole("navigation", { name: "Main" }).count(), 0, "no main navigation before the password is changed");
  await page.goto("/");
  assert.equal(pathOf(page), "/account/password", "the dashboard redirects to the change-password form");
}

export async function changePassword(page: Page, current: string, next: string) {
  await field(page, "Current password").fill(current);
  await field(page, "New password").fill(next);
  await field(page, "Repeat the new password").fill(next);
  await Promise.all([page.waitForURL((url) => url.pathname === "/"), page.getByRole("button", { name: "Change password" }).click()]);
  await page.getByRole("status").filter({ hasText: "Your password has been changed." }).waitFor();
}

/** The signed-in user's name, from the dashboard's greeting. */
export async function greetedName(page: Page) {
  const greeting = await page.getByRole("heading", { level: 1, name: /^Good (morning|afternoon|evening), / }).innerText();
  return greeting.replace(/^Good \w+, /, "").trim();
}

export async function logOut(page: Page, name: string) {
  // The user menu is a <details> disclosure in the page header, opened by its summary (the user's name), which has
  // no ARIA role of its own to select it by.
  await page.getByRole("banner").locator("summary").filter({ hasText: name }).click();
  await Promise.all([page.waitForURL((url) => url.pathname === "/login"), page.getByRole("button", { name: "Log out" }).click()]);
  await page.getByRole("status").filter({ hasText: "You have been signed out." }).waitFor();
}

/**
 * Does `action` (a click that submits a form or follows a link), waits for the main frame to load the next page, and
 * checks that page's address with `test`. Unlike waitForURL this never settles on the page we are already on, so a
 * form that posts and redirects back to the same address is waited for too; and a wrong page fails at once, naming it.
 */
export async function andWaitForPage(page: Page, action: () => Promise<unknown>, test: (url: URL) => boolean = () => true) {
  const navigated = page.waitForEvent("framenavigated", { predicate: (frame) => frame === page.mainFrame(), timeout: 30_000 });
  await Promise.all([navigated, action()]);
  await page.waitForLoadState("load");
  const url = new URL(page.url());
  if (!test(url)) {
    const heading = await page.getByRole("heading", { level: 1 }).first().innerText({ timeout: 1_000 }).catch(() => "(no heading)");
    const alerts = await page.getByRole("alert").allInnerTexts();
    throw new Error(`landed on an unexpected page: ${url.pathname}${url.search} "${heading}"${alerts.length ? `; alerts: ${alerts.join(" | ")}` : ""}`);
  }
}

/** Signs the first admin in, with the password the foundation test set, or (run alone) setting one now. */
export async function signInAdmin(page: Page, admin: E2eContext["admin"]): Promise<string> {
  await signIn(page, admin.email, admin.password);
  if (pathOf(page) === "/account/password") {
    await changePassword(page, admin.password, ADMIN_FALLBACK_PASSWORD);
    admin.password = ADMIN_FALLBACK_PASSWORD;
  }
  if (pathOf(page) !== "/") await page.goto("/");
  const name = await greetedName(page);
  assert.ok(name, "the dashboard greets the admin by name");
  return name;
}

export function mainNav(page: Page) {
  return page.getByRole("navigation", { name: "Main" });
}

