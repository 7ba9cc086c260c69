// The foundation, end to end in a real browser: first admin, forced password change, creating a user,
// logging out, that user's first sign-in, and what a staff member is (not) offered.
import assert from "node:assert/strict";
import type { E2eTest } from "./run.ts";
import { changePassword, expectForcedPasswordChange, field, greetedName, logOut, pathOf, signIn } from "./helpers.ts";

const ADMIN_NEW_PASSWORD = "ochre harbour vintage piano 42";
const STAFF = {
  name: "Sam Staffer",
  email: "sam.staffer@example.test",
  initialPassword: "maple tundra 9 cobalt sketch",
  newPassword: "glacier orbit 31 saffron quill",
};

export const foundation: E2eTest = {
  name: "foundation: first admin, a new staff user, and what staff may reach",
  async run({ page, admin, step, screenshot }) {
    let adminName = "";

    await step(`first admin (${admin.email}) signs in with the printed password`, async () => {
      await signIn(page, admin.email, admin.password);
    });

    await step("first admin is forced to change the password", async () => {
      await expectForcedPasswordChange(page);
    });

    await step("first admin changes the password and lands on the dashboard", async () => {
      await changePassword(page, admin.password, ADMIN_NEW_PASSWORD);
      admin.password = ADMIN_NEW_PASSWORD; // for the tests after this one
      adminName = await greetedName(page);
      assert.ok(adminName, "the dashboard greets the admin by name");
      await page.getByRole("navigation", { name: "Main" }).getByText("Admin", { exact: true }).waitFor();
    });

    await step("admin opens Admin > Users > New user", async () => {
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users", exact: true }).click();
      await page.getByRole("heading", { level: 1, name: "Users" }).waitFor();
      await page.getByRole("link", { name: "New user", exact: true }).click();
      await page.getByRole("heading", { level: 1, name: "New user" }).waitFor();
      assert.equal(pathOf(page), "/admin/users/new");
    });

    await step(`admin creates staff user ${STAFF.email} with a typed initial password`, async () => {
      await field(page, "Name").fill(STAFF.name);
      await field(page, "Email").fill(STAFF.email);
      await page.getByLabel("Role").selectOption({ label: "Staff" });
      await field(page, "Initial password").fill(STAFF.initialPassword);
      await Promise.all([page.waitForURL(/\/admin\/users\/[0-9a-f-]{36}$/), page.getByRole("button", { name: "Create user" }).click()]);
      await page.getByRole("status").filter({ hasText: `User ${STAFF.email} created. They must change the password when they sign in.` }).waitFor();
      await page.getByRole("heading", { level: 1, name: STAFF.name }).waitFor();
      await page.getByText("Must change password", { exact: true }).waitFor();
      await page.getByRole("definition").filter({ hasText: /^Staff$/ }).waitFor();
    });

    await step("admin logs out from the user menu", async () => {
      await logOut(page, adminName);
    });

    await step(`${STAFF.name} signs in with the initial password`, async () => {
      await signIn(page, STAFF.email, STAFF.initialPassword);
    });

    await step(`${STAFF.name} is forced to change the password`, async () => {
      await expectForcedPasswordChange(page);
    });

    await step(`${STAFF.name} changes the password and lands on the dashboard`, async () => {
      await changePassword(page, STAFF.initialPassword, STAFF.newPassword);
      await page.getByRole("heading", { level: 1, name: new RegExp(`^Good (morning|afternoon|evening), ${STAFF.name}$`) }).waitFor();
      await page.getByText(`Signed in as ${STAFF.email} (Staff`).waitFor();
    });

    await step("staff is not offered the Admin navigation", async () => {
      const nav = page.getByRole("navigation", { name: "Main" });
      await nav.getByRole("link", { name: "Dashboard", exact: true }).waitFor();
      assert.equal(await nav.getByText("Admin", { exact: true }).count(), 0, "no Admin group in the navigation");
      assert.equal(await nav.getByRole("link", { name: "Users" }).count(), 0, "no Users link");
      assert.equal(await nav.getByRole("link", { name: "Audit log" }).count(), 0, "no Audit log link");
      assert.equal(await page.getByRole("heading", { name: "Administration" }).count(), 0, "no Administration card on the dashboard");
      assert.equal(await page.getByRole("link", { name: /Manage users|Add a user|audit log/i }).count(), 0, "no admin links anywhere on the dashboard");
    });

    await step("staff opening /admin/users gets the 403 page", async () => {
      const response = await page.goto("/admin/users");
      assert.equal(response?.status(), 403);
      await page.getByRole("heading", { level: 1, name: "Not allowed" }).waitFor();
      await page.getByText("This page is for administrators.").waitFor();
      const audit = await page.goto("/admin/audit");
      assert.equal(audit?.status(), 403, "/admin/audit is refused too");
    });

    await step("screenshot of the staff dashboard", async () => {
      await page.goto("/");
      await page.getByRole("heading", { level: 1, name: new RegExp(STAFF.name) }).waitFor();
      const file = await screenshot("foundation-staff-dashboard");
      console.log(`    saved ${file}`);
    });
  },
};
