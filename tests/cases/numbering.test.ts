// Case numbers: CASE-YYYY-NNNNNN from a per-year sequence, unique, without gaps left by refused or failed creates.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { actor, caseFormFields, makeCaseType, makeClient, openCase } from "./support.ts";
import { refusal } from "./rules-support.ts";
import { ValidationError } from "../../src/errors.ts";
import { createCase, nextCaseNumber } from "../../src/cases/service.ts";
import { newCaseForm } from "../../src/cases/schemas.ts";

let t: TestApp;
let admin: Awaited<ReturnType<typeof makeUser>>;
let client: Awaited<ReturnType<typeof makeClient>>;
let typeId: string;
const year = new Date().getUTCFullYear();
const numberOf = (caseNumber: string) => Number(caseNumber.split("-")[2]);

beforeAll(async () => {
  t = await createTestApp();
  admin = await makeUser(t.db, { role: "admin" });
  client = await makeClient(t.db, admin.id);
  typeId = (await makeCaseType(t.db)).type.id;
});
afterAll(async () => {
  await t.close();
});

describe("case numbers", () => {
  it("numbers the first case of the year CASE-YYYY-000001 and the next one 000002", async () => {
    const first = await openCase(t.db, admin, { clientId: client.id, typeId });
    const second = await openCase(t.db, admin, { clientId: client.id, typeId });
    expect(first.caseNumber).toBe(`CASE-${year}-000001`);
    expect(second.caseNumber).toBe(`CASE-${year}-000002`);
  });

  it("keeps a separate sequence per year", async () => {
    const drawn = await t.db.$transaction(async (tx) => [
      await nextCaseNumber(tx, new Date("2031-01-01T00:00:00Z")),
      await nextCaseNumber(tx, new Date("2031-12-31T23:59:59Z")),
      await nextCaseNumber(tx, new Date("2032-06-15T12:00:00Z")),
    ]);
    expect(drawn).toEqual(["CASE-2031-000001", "CASE-2031-000002", "CASE-2032-000001"]);
    const next = await openCase(t.db, admin, { clientId: client.id, typeId });
    expect(next.caseNumber).toBe(`CASE-${year}-000003`);
  });

  it("uses no number for a case that is refused", async () => {
    const manager = await makeUser(t.db, { role: "manager" });
    const before = await openCase(t.db, admin, { clientId: client.id, typeId, managerId: manager.id }, { maxActiveCasesPerManager: 1 });
    const error = await refusal(openCase(t.db, admin, { clientId: client.id, typeId, managerId: manager.id }, { maxActiveCasesPerManager: 1 }));
    expect(error).toBeInstanceOf(ValidationError);
    const after = await openCase(t.db, admin, { clientId: client.id, typeId });
    expect(numberOf(after.caseNumber)).toBe(numberOf(before.caseNumber) + 1);
  });

  it("gives the number back when the database refuses the case after it was drawn", async () => {
    const before = await openCase(t.db, admin, { clientId: client.id, typeId });
    const input = newCaseForm.parse(caseFormFields({ clientId: client.id, typeId, managerId: admin.id }));
    // A blank title passes no form, but a caller bypassing it meets the database's CHECK, after the number is drawn.
    await expect(createCase(t.db, actor(admin), { ...input, title: "   " }, { maxActiveCasesPerManager: 40 })).rejects.toThrow(/cases_title_not_blank|check constraint/i);
    expect((await t.db.caseNumberCounter.findUniqueOrThrow({ where: { year } })).last).toBe(numberOf(before.caseNumber));
    const after = await openCase(t.db, admin, { clientId: client.id, typeId });
    expect(numberOf(after.caseNumber)).toBe(numberOf(before.caseNumber) + 1);
  });

  it("refuses a duplicate number in the database", async () => {
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId });
    await expect(
      t.db.case.create({ data: { caseNumber: kase.caseNumber, title: "Copy", description: "Copy", clientId: client.id, managerId: admin.id, typeId, createdById: admin.id } }),
    ).rejects.toThrow(/unique|case_number/i);
    await expect(
      t.db.case.create({ data: { caseNumber: "CASE-24-1", title: "Badly numbered", description: "x", clientId: client.id, managerId: admin.id, typeId, createdById: admin.id } }),
    ).rejects.toThrow(/cases_number_format|check constraint/i);
  });

  it("grows past six digits instead of wrapping", async () => {
    await t.db.caseNumberCounter.update({ where: { year }, data: { last: 999_999 } });
    const kase = await openCase(t.db, admin, { clientId: client.id, typeId });
    expect(kase.caseNumber).toBe(`CASE-${year}-1000000`);
  });
});
