import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { clientDetailRow } from "../../src/clients/queries.ts";
import { clientDetailInclude } from "../../src/clients/service.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

/** Dates as ISO strings and keys sorted, so the two shapes compare field by field. */
function normalise(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, normalise((value as Record<string, unknown>)[k])]));
  }
  return value;
}

describe("the client hub's one-query read", () => {
  it("returns exactly what the ORM's include returns, for a client with every relation filled", async () => {
    const [manager, poc, second, member, other] = await Promise.all([1, 2, 3, 4, 5].map((i) => makeUser(t.db, { name: `Person ${i}` })));
    const category = await t.db.clientCategory.create({ data: { name: "Key accounts", color: "#123abc", description: "Top tier" } });
    const client = await t.db.client.create({
      data: {
        clientCode: "CLT-1997-0001",
        name: "Fully Filled Holdings",
        clientType: "organization",
        categoryId: category.id,
        status: "on_hold",
        email: "desk@fullyfilled.test",
        taxId: "TX-1",
        industry: "Shipping",
        intakeDate: new Date("2024-02-29T00:00:00Z"),
        isConfidential: true,
        dataClassification: "privileged",
        accountManagerId: manager!.id,
        primaryPocId: poc!.id,
        secondaryPocId: second!.id,
        lastContactAt: new Date("2025-01-15T00:00:00Z"),
        lastContactType: "video",
        lastContactById: poc!.id,
        nextContactAt: new Date("2027-01-15T00:00:00Z"),
        nextContactType: "in_person",
        nextContactAssigneeId: second!.id,
        relationshipStrength: "at_risk",
        priority: "strategic",
        relationshipStatus: "warm",
        relationshipNotes: "Watch renewals",
        createdById: other!.id,
        updatedById: manager!.id,
        team: { create: [{ userId: member!.id }, { userId: other!.id }] },
        contacts: { create: [{ name: "Zed Contact", isPrimary: true }, { name: "Amy Contact", active: false, email: "amy@fullyfilled.test" }, { name: "Bob Contact" }] },
      },
    });
    const viaOrm = await t.db.client.findUniqueOrThrow({ where: { id: client.id }, include: clientDetailInclude });
    const viaSql = await clientDetailRow(t.db, { ...manager!, mustChangePassword: false }, client.id);
    const { privilegedVisible, ...fields } = viaSql!;
    expect(normalise(fields)).toEqual(normalise(viaOrm));
    expect(privilegedVisible).toBe(true); // the account manager is on the client's team
    expect(viaSql!.contacts.map((c) => c.name)).toEqual(["Zed Contact", "Bob Contact", "Amy Contact"]);
  });

  it("finds nothing for a user who may not see the client", async () => {
    const outsider = await makeUser(t.db);
    const creator = await makeUser(t.db);
    const hidden = await t.db.client.create({ data: { clientCode: "CLT-1997-0002", name: "Hidden Holdings", isConfidential: true, createdById: creator.id } });
    expect(await clientDetailRow(t.db, { ...outsider, mustChangePassword: false }, hidden.id)).toBeUndefined();
  });
});
