// What the layout work of issue 12 promises, as HTML a browser gets (the browser sweep in tests/e2e checks widths and
// accessibility): the navigation behind a Menu disclosure, dates in the reader's locale, the pager's position, the
// dashboard's labelled counts, the client page's folded deactivate form and its contacts' buttons, the team picker.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { csrfTokenIn, signedIn } from "../helpers/http.ts";
import { daysAgo, decodeHtml, fieldBlock, formFields, makeClient, pagerLink } from "../clients/support.ts";
import { localeFrom } from "../../src/web/format.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const text = (html: string) => decodeHtml(html.replace(/<[^>]+>/g, " ")).replace(/\s+/g, " ");
function section(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  if (start < 0) throw new Error(`no section ${id} on the page`);
  return html.slice(start, html.indexOf("</section>", start));
}

describe("the navigation", () => {
  it("sits in a disclosure with a Menu button, so that narrow screens fold it without JavaScript", async () => {
    const staff = await makeUser(t.db, { role: "staff" });
    const admin = await makeUser(t.db, { role: "admin" });
    for (const [user, adminLinks] of [[staff, false], [admin, true]] as const) {
      const html = (await (await signedIn(t.app, user.email)).get("/clients")).text;
      const menu = /<details class="navmenu">\s*<summary class="navmenu-button">[\s\S]*?Menu<\/summary>\s*<nav aria-label="Main" class="mainnav">([\s\S]*?)<\/nav>\s*<\/details>/.exec(html);
      expect(menu, "the Main navigation inside the Menu disclosure").not.toBeNull();
      const links = menu?.[1] ?? "";
      expect(links).toContain('<a href="/clients" aria-current="page">Clients</a>');
      expect(links.includes('href="/admin/users"')).toBe(adminLinks);
    }
  });

  it("is not on the sign-in page", async () => {
    const html = (await request(t.app).get("/login")).text;
    expect(html).not.toContain('class="navmenu"');
  });
});

describe("dates in the reader's locale", () => {
  it("picks the first language Intl can format, else British English", () => {
    expect(localeFrom(["en-US", "en"])).toBe("en-US");
    expect(localeFrom(["de-DE", "de", "en"])).toBe("de-DE");
    expect(localeFrom(["*"])).toBe("en-GB");
    expect(localeFrom(["x-not a tag", "<script>"])).toBe("en-GB");
    expect(localeFrom([])).toBe("en-GB");
  });

  it("prints a client's dates as the browser's date fields read them", async () => {
    const admin = await makeUser(t.db, { role: "admin" });
    const client = await makeClient(t.db, admin.id, { name: "Datewise Partners", intakeDate: new Date("2026-12-04T00:00:00Z") });
    const agent = await signedIn(t.app, admin.email);
    const british = text((await agent.get(`/clients/${client.id}`)).text);
    expect(british).toContain("Intake date 4 Dec 2026");
    const american = text((await agent.get(`/clients/${client.id}`).set("Accept-Language", "en-US,en;q=0.9")).text);
    expect(american).toContain("Intake date Dec 4, 2026");
    const german = text((await agent.get(`/clients/${client.id}`).set("Accept-Language", "de-DE,de;q=0.9")).text);
    expect(german).toContain("Intake date 04.12.2026");
  });
});

describe("the pager", () => {
  it("says where a keyset page of clients is: Showing 1–25 of 30, then 26–30 of 30, and back", async () => {
    const admin = await makeUser(t.db, { role: "admin", viewConfidential: true });
    const agent = await signedIn(t.app, admin.email);
    for (let i = 0; i < 30; i++) await makeClient(t.db, admin.id, { name: `Pagerposition ${String(i).padStart(2, "0")} Ltd` });
    const first = await agent.get("/clients?q=pagerposition&sort=name");
    expect(text(first.text)).toContain("Showing 1–25 of 30");
    const next = pagerLink(first.text, "next");
    expect(next).toContain("from=26");
    const second = await agent.get(next!);
    expect(text(second.text)).toContain("Showing 26–30 of 30");
    const back = pagerLink(second.text, "prev");
    expect(back).toContain("from=1");
    expect(text((await agent.get(back!)).text)).toContain("Showing 1–25 of 30");
  });

  it("never reads past the end when the position in the address is tampered with", async () => {
    const admin = await makeUser(t.db, { role: "admin" });
    const agent = await signedIn(t.app, admin.email);
    for (let i = 0; i < 3; i++) await makeClient(t.db, admin.id, { name: `Tamperpos ${i} Ltd` });
    const html = text((await agent.get("/clients?q=tamperpos&sort=name&from=900")).text);
    expect(html).toContain("Showing 1–3 of 3");
  });
});

describe("the dashboard", () => {
  it("labels every count, and counts the clients needing attention that the reader may see", async () => {
    const admin = await makeUser(t.db, { role: "admin" });
    const me = await makeUser(t.db, { role: "staff", name: "Attentive Staffer" });
    // The whole firm's clients are counted: start from what is there, then add some.
    const before = async () => {
      const html = (await (await signedIn(t.app, me.email)).get("/")).text;
      return { html, counts: attentionCounts(html) };
    };
    const start = (await before()).counts;
    await makeClient(t.db, admin.id, { name: "Longago Urgent Ltd", lastContactAt: daysAgo(120) });
    await makeClient(t.db, admin.id, { name: "Longago Urgent Two Ltd", lastContactAt: daysAgo(95) });
    await makeClient(t.db, admin.id, { name: "Somewhat Stale Ltd", lastContactAt: daysAgo(70) });
    await makeClient(t.db, admin.id, { name: "Never Called Ltd", lastContactAt: null });
    await makeClient(t.db, admin.id, { name: "Recently Called Ltd", lastContactAt: daysAgo(3) });
    // A restricted client outside my team is not counted for me.
    await makeClient(t.db, admin.id, { name: "Hidden Urgent Ltd", lastContactAt: daysAgo(200), isConfidential: true });
    const { html, counts } = await before();
    expect(counts).toEqual({ urgent: start.urgent + 2, warning: start.warning + 1, never: start.never + 1 });

    const attention = text(section(html, "clients-needing-attention"));
    expect(attention).toMatch(/\d+ Urgent no contact for over 90 days/);
    expect(attention).toMatch(/\d+ Warning no contact for 60 to 90 days/);
    expect(attention).toMatch(/\d+ Never contacted no contact recorded/);
    expect(html).not.toContain("Hidden Urgent Ltd");
    // The labelled counts at the top, each a link to what it counts.
    const glance = text(html.slice(html.indexOf('class="stats"'), html.indexOf("</ul>", html.indexOf('class="stats"'))));
    expect(glance).toContain("0 active cases I manage");
    expect(glance).toContain("0 open stages assigned to me");
    expect(glance).toContain("0 approvals waiting for me");
    expect(glance).toContain(`${start.urgent + 2} clients not contacted for over 90 days`);
    expect(text(section(html, "cases-i-manage"))).toContain("Cases I manage 0 active");
  });
});

function attentionCounts(html: string) {
  const part = section(html, "clients-needing-attention");
  const count = (filter: string) => {
    const m = new RegExp(`href="/clients\\?attention=${filter}"><span class="stat-value">([\\d,+]+)</span>`).exec(part);
    if (!m) throw new Error(`no ${filter} count`);
    return Number(m[1]!.replace(/[,+]/g, ""));
  };
  return { urgent: count("urgent"), warning: count("warning"), never: count("never") };
}

describe("the client page", () => {
  it("folds the deactivate form behind its button and gives every contact the same buttons in the same order", async () => {
    const admin = await makeUser(t.db, { role: "admin" });
    const client = await makeClient(t.db, admin.id, { name: "Buttonorder Holdings", clientType: "organization" });
    await t.db.contact.create({ data: { clientId: client.id, name: "Primrose Primary", isPrimary: true } });
    await t.db.contact.create({ data: { clientId: client.id, name: "Otto Other" } });
    const html = (await (await signedIn(t.app, admin.email)).get(`/clients/${client.id}`)).text;

    const status = section(html, "status");
    expect(status).toMatch(/<details class="disclosure">\s*<summary class="button danger-outline">Deactivate client…<\/summary>\s*<form method="post" action="\/clients\/[0-9a-f-]+\/deactivate"/);

    const buttons = (name: string) => {
      const item = html.slice(html.lastIndexOf("<li", html.indexOf(`<strong>${name}</strong>`)), html.indexOf("</li>", html.indexOf(`<strong>${name}</strong>`)));
      return [...item.matchAll(/<(?:button|a) [^>]*class="button small[^"]*"[^>]*>([^<]+)</g)].map((m) => m[1]);
    };
    expect(buttons("Primrose Primary")).toEqual(["Edit", "Deactivate", "Delete…"]);
    expect(buttons("Otto Other")).toEqual(["Edit", "Deactivate", "Delete…", "Make primary"]);
  });
});

describe("the client form's team members", () => {
  it("are ticked from a list showing each person's whole email, the chosen first, and saved from the ticks", async () => {
    const admin = await makeUser(t.db, { role: "admin", viewConfidential: true });
    const zed = await makeUser(t.db, { name: "Zed Zimmerman-Longsurname", email: "zed.zimmerman-longsurname@a-rather-long-firm-domain.example" });
    const amy = await makeUser(t.db, { name: "Amy Ambrose" });
    const client = await makeClient(t.db, admin.id, { name: "Teampicker Works", teamUserIds: [zed.id] });
    const agent = await signedIn(t.app, admin.email);
    const page = (await agent.get(`/clients/${client.id}/edit`)).text;
    const block = fieldBlock(page, "teamUserIds");
    expect(block).toContain("<legend>Team members</legend>");
    expect(block).not.toContain("<select");
    expect(block).toContain(`<input type="checkbox" name="teamUserIds" value="${zed.id}" checked>`);
    expect(block).toContain(`<span class="person-email">${zed.email}</span>`);
    expect(block.indexOf(zed.id)).toBeLessThan(block.indexOf(amy.id));
    expect(page).toContain('<script src="/public/js/people-picker.js" defer></script>');

    // What the browser sends when Amy is ticked too.
    const fields = formFields(page);
    fields.teamUserIds = [zed.id, amy.id];
    const saved = await agent.post(`/clients/${client.id}`).type("form").send({ ...fields, _csrf: csrfTokenIn(page) });
    expect(saved.status).toBe(302);
    const team = await t.db.clientTeamMember.findMany({ where: { clientId: client.id } });
    expect(team.map((m) => m.userId).sort()).toEqual([zed.id, amy.id].sort());
  });
});

describe("the client form's postal address", () => {
  it("is folded while empty, open when the client has one or when one of its fields is refused, and keeps what was typed", async () => {
    const admin = await makeUser(t.db, { role: "admin" });
    const agent = await signedIn(t.app, admin.email);
    const fold = (html: string) => /<details class="fold"( open)?>\s*<summary>Postal address/.exec(html);
    const blank = (await agent.get("/clients/new")).text;
    expect(fold(blank)?.[1], "closed on a new client").toBeUndefined();
    expect(fold(blank)).not.toBeNull();

    const withCity = await makeClient(t.db, admin.id, { name: "Foldaway Legal", city: "Leeds" });
    const edit = (await agent.get(`/clients/${withCity.id}/edit`)).text;
    expect(fold(edit)?.[1]).toBe(" open");
    expect(edit).toContain("(Leeds)");

    const refused = await agent.post("/clients").type("form").send({ _csrf: csrfTokenIn(blank), name: "Postcode Partners", clientType: "organization", status: "active", dataClassification: "confidential", postalCode: "x".repeat(40) });
    expect(refused.status).toBe(422);
    expect(fold(refused.text)?.[1], "open to show the refused field").toBe(" open");
    expect(fieldBlock(refused.text, "postalCode")).toContain('value="' + "x".repeat(40) + '"');
  });
});

describe("the import page", () => {
  it("makes its column table a region the keyboard can reach and scroll", async () => {
    const admin = await makeUser(t.db, { role: "admin" });
    const html = (await (await signedIn(t.app, admin.email)).get("/clients/import")).text;
    expect(html).toContain('<div class="table-wrap" tabindex="0" role="region" aria-labelledby="import-columns">');
  });
});
