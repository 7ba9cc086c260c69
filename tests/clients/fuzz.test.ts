// Generated input against the real app and database (fast-check, bounded): whatever a form post or a query string
// holds — unicode, very long text, arrays where text is expected, missing fields, SQL-ish text, impossible dates,
// keys the form never has — the app answers without a server error, and a POST /clients creates one client or none.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { csrfToken, signedIn, type Agent } from "../helpers/http.ts";
import { makeClient } from "./support.ts";

let t: TestApp;
let manager: Agent;
let managerId: string;
let token: string;
const knownIds: string[] = [];

beforeAll(async () => {
  t = await createTestApp();
  const m = await makeUser(t.db, { role: "manager", name: "Fuzz Manager" });
  const other = await makeUser(t.db, { name: "Fuzz Colleague" });
  const gone = await makeUser(t.db, { name: "Fuzz Departed", active: false });
  const category = await t.db.clientCategory.create({ data: { name: "Fuzz category" } });
  managerId = m.id;
  knownIds.push(m.id, other.id, gone.id, category.id);
  await makeClient(t.db, m.id, { name: "Existing Fuzz Target", email: "desk@fuzz-target.test" });
  await makeClient(t.db, m.id, { name: "Hidden Fuzz Target", isConfidential: true });
  manager = await signedIn(t.app, m.email);
  token = await csrfToken(manager, "/clients/new");
});
afterAll(async () => t.close());

const FIELDS = [
  "name", "clientType", "categoryId", "status", "email", "phone", "website", "addressLine1", "addressLine2", "city", "state",
  "postalCode", "country", "dateOfBirth", "ssnLast4", "taxId", "industry", "intakeDate", "clientSince", "referralSource", "notes",
  "isConfidential", "dataClassification", "accountManagerId", "primaryPocId", "secondaryPocId", "teamUserIds", "lastContactAt",
  "lastContactType", "lastContactById", "lastContactSummary", "nextContactAt", "nextContactType", "nextContactAssigneeId",
  "relationshipStrength", "relationshipNotes", "priority", "relationshipStatus", "updatedAt", "confirmDuplicates",
];
/** Keys a form never sends: attempts to set what the server decides. */
const FOREIGN = ["clientCode", "id", "createdById", "updatedById", "deactivatedAt", "search_text", "constructor", "name[]", "teamUserIds[0]", "toString"];
const SQLISH = ["' OR '1'='1", "'; DROP TABLE clients; --", "Robert'); DELETE FROM clients;--", "%", "_", "\\", "%' AND 1=1 --", "$1", "::uuid", "NULL", "\u0000", "a\u0000b"];
const DATES = ["2024-02-30", "2024-02-29", "2023-02-29", "0000-00-00", "9999-12-31", "1849-12-31", "2024-2-3", "2024-02-29T00:00:00Z", "31/12/2020", "2024-13-01", "+002024-01-01", "-000001-01-01"];
const ENUMS = ["individual", "organization", "active", "inactive", "on_hold", "archived", "public", "confidential", "privileged", "in_person", "phone", "email", "video", "strong", "at_risk", "strategic", "warm", "cold", "on", "true", "1", "yes", "off"];
const EMAILS = ["a@b.co", "x@fuzz-target.test", "someone@gmail.com", "@", "a@", "a@b", "\"quoted\"@example.com", "ünïcode@exämple.test"];

const text = () =>
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 30 }) },
    { weight: 1, arbitrary: fc.string({ minLength: 201, maxLength: 2500 }) },
    { weight: 2, arbitrary: fc.constantFrom(...SQLISH) },
    { weight: 2, arbitrary: fc.constantFrom(...DATES) },
    { weight: 3, arbitrary: fc.constantFrom(...ENUMS) },
    { weight: 1, arbitrary: fc.constantFrom(...EMAILS) },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: fc.constantFrom(...knownIds) },
    { weight: 2, arbitrary: fc.constant("") },
  );
const formValue = () => fc.oneof({ weight: 5, arbitrary: text() }, { weight: 1, arbitrary: fc.array(text(), { maxLength: 4 }) });
const jsonValue = () =>
  fc.oneof(
    { weight: 5, arbitrary: text() },
    { weight: 1, arbitrary: fc.array(text(), { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null)) },
    { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), text(), { maxKeys: 3 }) },
  );
const keys = () => fc.constantFrom(...FIELDS, ...FOREIGN);

/** Bodies that are close to valid (so some are saved), with random damage. */
const nearlyValid = () =>
  fc
    .tuple(
      fc.record({
        name: fc.oneof(fc.stringMatching(/^[A-Z][a-z]{2,12} [A-Z][a-z]{2,12}$/), fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 })),
        clientType: fc.constantFrom("individual", "organization"),
        confirmDuplicates: fc.constantFrom("on", ""),
      }),
      fc.dictionary(keys(), formValue(), { maxKeys: 4 }),
    )
    .map(([base, damage]) => ({ ...base, ...damage }) as Record<string, unknown>);
const chaotic = () => fc.dictionary(keys(), formValue(), { maxKeys: 15 }) as fc.Arbitrary<Record<string, unknown>>;

type Post = { kind: "form" | "json"; body: Record<string, unknown> };
const posts = (): fc.Arbitrary<Post> =>
  fc.oneof(
    { weight: 3, arbitrary: nearlyValid().map((body) => ({ kind: "form" as const, body })) },
    { weight: 2, arbitrary: chaotic().map((body) => ({ kind: "form" as const, body })) },
    { weight: 1, arbitrary: fc.dictionary(keys(), jsonValue(), { maxKeys: 12 }).map((body) => ({ kind: "json" as const, body: body as Record<string, unknown> })) },
  );

function urlencoded(body: Record<string, unknown>): string {
  const params = new URLSearchParams();
  params.append("_csrf", token);
  for (const [key, value] of Object.entries(body)) {
    if (Array.isArray(value)) for (const v of value) params.append(key, String(v));
    else params.append(key, String(value));
  }
  return params.toString();
}

function send(post: Post) {
  if (post.kind === "json") return manager.post("/clients").set("Content-Type", "application/json").send(JSON.stringify({ ...post.body, _csrf: token }));
  return manager.post("/clients").type("form").send(urlencoded(post.body));
}

describe("fuzzing POST /clients", () => {
  it("never answers 500, and each request creates exactly one client (when it says so) or none", { timeout: 60_000 }, async () => {
    const year = new Date().getUTCFullYear();
    let saved = 0;
    await fc.assert(
      fc.asyncProperty(posts(), async (post) => {
        const before = await t.db.client.count();
        const res = await send(post);
        const after = await t.db.client.count();
        expect(res.status, `status for ${JSON.stringify(post).slice(0, 500)}`).toBeLessThan(500);
        const location = res.headers.location as string | undefined;
        const created = res.status === 302 && location ? /^\/clients\/([0-9a-f-]{36})$/.exec(location)?.[1] : undefined;
        if (created) {
          expect(after - before).toBe(1);
          const row = await t.db.client.findUniqueOrThrow({ where: { id: created } });
          // What the server decides is not taken from the body.
          expect(row.clientCode).toMatch(new RegExp(`^CLT-${year}-\\d{4,}$`));
          expect(row.createdById).toBe(managerId);
          expect(row.status).not.toBe("inactive");
          expect(row.name.trim().length).toBeGreaterThan(0);
          expect(await t.db.auditEvent.count({ where: { action: "client.create", entityId: created } })).toBe(1);
          saved += 1;
        } else {
          expect(after - before, `no client for status ${res.status}`).toBe(0);
          expect([200, 403, 413, 422]).toContain(res.status);
        }
      }),
      { numRuns: 50 },
    );
    // The generator is meant to save some: a property that never saves would prove little.
    expect(saved).toBeGreaterThan(0);
  });

  it("handles the classic awkward bodies", async () => {
    const bodies: Record<string, unknown>[] = [
      {},
      { name: "Nul\u0000Byte Client", clientType: "organization", confirmDuplicates: "on" },
      { name: "Nul In Notes Ltd", clientType: "organization", notes: "a\u0000b", confirmDuplicates: "on" },
      { name: "Nul In City Ltd", clientType: "organization", city: "\u0000", confirmDuplicates: "on" },
      { name: ["Two", "Names"], clientType: "organization" },
      { name: "Array Type", clientType: ["individual", "organization"] },
      { name: "Leap Day", clientType: "individual", dateOfBirth: "2024-02-30" },
      { name: "x".repeat(5000), clientType: "organization" },
      { name: "'; DROP TABLE clients; --", clientType: "organization", confirmDuplicates: "on" },
      { name: "Team Of Junk", clientType: "organization", teamUserIds: ["", "not-a-uuid"] },
      { name: "Team Of Many", clientType: "organization", teamUserIds: Array.from({ length: 60 }, () => knownIds[1]!) },
      { name: "Updated At Junk", clientType: "organization", updatedAt: ["a", "b"], confirmDuplicates: "on" },
      { name: "\uD800 Lone Surrogate", clientType: "organization", confirmDuplicates: "on" },
      { name: "Emoji 👩‍👩‍👧‍👦 Family Office", clientType: "organization", confirmDuplicates: "on" },
    ];
    for (const body of bodies) {
      for (const kind of ["form", "json"] as const) {
        const before = await t.db.client.count();
        const res = await send({ kind, body });
        const after = await t.db.client.count();
        expect(res.status, `${kind} ${JSON.stringify(body).slice(0, 120)}`).toBeLessThan(500);
        expect(after - before).toBe(res.status === 302 ? 1 : 0);
      }
    }
    // No NUL ever reaches a stored name.
    const names = await t.db.client.findMany({ select: { name: true, notes: true, city: true } });
    for (const row of names) expect(JSON.stringify(row)).not.toContain("\\u0000");
  });
});

describe("fuzzing the list's query string and autocomplete", () => {
  it("search text with a NUL byte or an undecodable escape is searched without it, not a server error", async () => {
    for (const path of ["/clients?q=%00", "/clients?q=Existing%00Fuzz", "/clients?q=%ED%A0%80", "/clients?q=%", "/clients/autocomplete?q=a%00b", "/clients/autocomplete?q=%ED%A0%80", "/clients/autocomplete?q=%"]) {
      const res = await manager.get(path);
      expect(res.status, path).toBe(200);
    }
    expect((await manager.get("/clients?q=Existing%00Fuzz")).text).toContain("Existing Fuzz Target");
  });

  it("never answers 500 for any search text or filter value", { timeout: 60_000 }, async () => {
    const params = fc.dictionary(
      fc.constantFrom("q", "type", "status", "category", "manager", "poc", "attention", "priority", "relationship", "sort", "dir", "after", "before", "perPage", "page"),
      text(),
      { maxKeys: 6 },
    );
    await fc.assert(
      fc.asyncProperty(params, text(), async (query, q) => {
        const qs = new URLSearchParams(Object.entries(query) as [string, string][]).toString();
        const list = await manager.get(`/clients?${qs}`);
        expect(list.status, `/clients?${qs}`).toBe(200);
        expect(list.text).not.toContain("Hidden Fuzz Target");
        const auto = await manager.get(`/clients/autocomplete?${new URLSearchParams({ q }).toString()}`);
        expect(auto.status, `autocomplete ${JSON.stringify(q)}`).toBe(200);
        expect(auto.text).not.toContain("Hidden Fuzz Target");
      }),
      { numRuns: 40 },
    );
  });
});
