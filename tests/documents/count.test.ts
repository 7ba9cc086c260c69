// The documents list's count: exact up to 1,000, then "1,000+", over both kinds of document (filed on a client, whose
// rule reads the client's copies on the row, and filed on a case only), counted client documents first. Hidden
// documents never count, whichever arm they fall in.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import { signedIn, type Agent } from "../helpers/http.ts";
import { makeClient } from "../clients/support.ts";
import { makeCaseType, openCase } from "../cases/support.ts";
import { typeId } from "./support.ts";

let t: TestApp;
let staff: Agent;
let ids: { open: string; secret: string; kase: string; hiddenCase: string; type: string; by: string };

/** `n` documents written straight to the table, filed on a client or on a case only. */
async function addDocuments(n: number, on: { clientId?: string; caseId?: string }, label: string) {
  await t.database.pool.query(
    `INSERT INTO documents (id, title, type_id, client_id, case_id, file_name, content_type, size, created_by_id, updated_at)
     SELECT gen_random_uuid(), $1 || ' ' || g, $2::uuid, $3::uuid, $4::uuid, 'file.pdf', 'application/pdf', 10, $5::uuid, now()
     FROM generate_series(1, $6::int) g`,
    [label, ids.type, on.clientId ?? null, on.caseId ?? null, ids.by, n],
  );
}

const countLine = async () => /<p class="muted result-count" role="status">([^<]+)<\/p>/.exec((await staff.get("/documents")).text)![1];

beforeAll(async () => {
  t = await createTestApp();
  const admin = await makeUser(t.db, { role: "admin", viewConfidential: true });
  const user = await makeUser(t.db, { role: "staff" });
  staff = await signedIn(t.app, user.email);
  const open = await makeClient(t.db, admin.id, { name: "Open Shipping" });
  const secret = await makeClient(t.db, admin.id, { name: "Secret Shipping", isConfidential: true });
  const { type } = await makeCaseType(t.db);
  const kase = await openCase(t.db, admin, { clientId: open.id, typeId: type.id, managerId: user.id });
  const hiddenCase = await openCase(t.db, admin, { clientId: open.id, typeId: type.id, managerId: admin.id });
  ids = { open: open.id, secret: secret.id, kase: kase.id, hiddenCase: hiddenCase.id, type: await typeId(t.db, "other"), by: admin.id };
});
afterAll(async () => t?.close());

describe("the documents list's count", () => {
  it("adds the visible case-only documents to the client documents, and leaves hidden ones out of both", async () => {
    await addDocuments(600, { clientId: ids.open }, "Open memo");
    await addDocuments(700, { clientId: ids.secret }, "Secret memo");
    await addDocuments(300, { caseId: ids.kase }, "Case memo");
    await addDocuments(400, { caseId: ids.hiddenCase }, "Other case memo");
    expect(await countLine()).toBe("900 documents.");
  });

  it("stops at 1,000 and says 1,000+", async () => {
    await addDocuments(150, { caseId: ids.kase }, "More case memo");
    expect(await countLine()).toBe("1,000+ documents.");
    await addDocuments(500, { clientId: ids.open }, "More open memo");
    expect(await countLine()).toBe("1,000+ documents.");
  });
});
