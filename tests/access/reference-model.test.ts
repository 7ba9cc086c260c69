// The reference-model test (issue 11): fast-check builds small worlds (clients restricted or not, privileged or not,
// with teams; users of every role, department and flag; cases with teams, review flags, deleted or not; contacts), writes
// them to the real database, and every read path must return exactly what the plain-TypeScript oracle (oracle.ts)
// says, for every user. A new child record joins by one line in CHILD_FACTORIES (and one in src/access/children.ts).
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "../../src/generated/prisma/client.ts";
import type { Db } from "../../src/db/client.ts";
import type { CurrentUser } from "../../src/access/roles.ts";
import { privilegedVisibleSql, visibleClientsSql } from "../../src/access/clients.ts";
import { caseChildVisibleSql, deletedCasesSql, ownVisibleCasesSql, visibleCasesSql } from "../../src/access/cases.ts";
import { CHILD_RECORDS, OWN_RULE_RECORDS, childVisibleSql, type ChildKind } from "../../src/access/children.ts";
import { documentDetail } from "../../src/documents/queries.ts";
import { privilegedMaterialOfMyClientsSql } from "../../src/access/documents.ts";
import { communicationRow } from "../../src/communications/queries.ts";
import { caseIsVisible, visibleClient } from "../../src/access/records.ts";
import { clientDetailRow, clientListView, clientsByPointOfContact, suggestClients } from "../../src/clients/queries.ts";
import { exportBatches } from "../../src/clients/transfer.ts";
import { caseBoardView, caseListView, deletedCases } from "../../src/cases/queries.ts";
import { caseDetailRow } from "../../src/cases/detail-query.ts";
import { clientCasesSummary } from "../../src/cases/summaries.ts";
import { searchAuditLog } from "../../src/audit/selectors.ts";
import { auditEventVisibleSql } from "../../src/access/audit.ts";
import { auditFilters } from "../../src/audit/schemas.ts";
import { clientFilters } from "../../src/clients/schemas.ts";
import { caseFilters } from "../../src/cases/schemas.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeUser } from "../helpers/factories.ts";
import {
  seesCase, seesChild, seesClient, seesCommunication, seesDeletedCase, seesDocument, seesFeedback, seesPrivilegedMaterial, seesRoundtable,
  type OCase, type OClient, type OUser, type OWorld,
} from "./oracle.ts";

/** How a test writes one child record under a parent: one line per kind in src/access/children.ts. */
const CHILD_FACTORIES: Record<ChildKind, (db: Db, parentId: string, tag: string) => Promise<{ id: string }>> = {
  contact: (db, clientId, tag) => db.contact.create({ data: { clientId, name: `Contact ${tag}` }, select: { id: true } }),
};

/**
 * Records with a rule of their own (src/access/children.ts OWN_RULE_RECORDS): how the test writes one from the generated
 * world, and what the oracle says of it. One entry per kind there.
 */
interface OwnRecord {
  kind: string;
  id: string;
  sees: (world: OWorld, user: OUser) => boolean;
  /** Documents: marked privileged or of a privileged parent client (what the privileged filter lists). */
  privilegedMaterial?: (world: OWorld) => boolean;
}
type OwnSpec = WorldSpec["own"][number];
const OWN_FACTORIES: Record<string, (db: Db, ctx: OwnContext, spec: OwnSpec, i: number) => Promise<OwnRecord[]>> = {
  document: async (db, ctx, spec) => {
    const kase = spec.case === null ? null : ctx.cases[spec.case % Math.max(ctx.cases.length, 1)] ?? null;
    // A document hangs off its client, or off a case alone.
    const clientId = spec.byCaseOnly && kase ? null : ctx.clients[spec.client]!.id;
    const caseId = kase && (spec.byCaseOnly || kase.clientId === clientId) ? kase.id : null;
    const row = await db.document.create({
      data: { title: `${ctx.tag} document`, typeId: ctx.documentTypeId, clientId, caseId, privileged: spec.privileged, fileName: "a.txt", contentType: "text/plain", size: 1, createdById: ctx.users[0]!.id },
      select: { id: true },
    });
    // Further cases of the document's client it is linked to ("add an existing document"), picked by the spec.
    const ownerId = clientId ?? kase!.clientId;
    const linkedCaseIds = [...new Set(spec.links.map((n) => ctx.cases[n % Math.max(ctx.cases.length, 1)]).filter((k) => k && k.clientId === ownerId && k.id !== caseId).map((k) => k!.id))];
    if (linkedCaseIds.length) await db.documentCase.createMany({ data: linkedCaseIds.map((linked) => ({ documentId: row.id, caseId: linked, linkedById: ctx.users[0]!.id })) });
    return [{
      kind: "document",
      id: row.id,
      sees: (world, user) => seesDocument(world, user, { clientId, caseId, privileged: spec.privileged, linkedCaseIds }),
      privilegedMaterial: (world) => spec.privileged || world.clients.find((c) => c.id === ownerId)!.dataClassification === "privileged",
    }];
  },
  communication: async (db, ctx, spec) => {
    const client = ctx.clients[spec.client]!;
    const kase = spec.case === null ? null : ctx.cases.find((k, j) => j >= (spec.case ?? 0) && k.clientId === client.id) ?? null;
    const caseId = kase?.id ?? null;
    const row = await db.communication.create({
      data: { clientId: client.id, caseId, type: "phone", occurredAt: new Date("2024-01-01T10:00:00Z"), subject: `${ctx.tag} call`, privileged: spec.privileged, loggedById: ctx.users[0]!.id },
      select: { id: true },
    });
    return [{ kind: "communication", id: row.id, sees: (world, user) => seesCommunication(world, user, { clientId: client.id, caseId, privileged: spec.privileged }) }];
  },
  client_feedback: async (db, ctx, spec, i) => {
    const clientId = ctx.clients[spec.client]!.id;
    const row = await db.clientFeedback.create({
      data: { clientId, periodKind: "month", periodStart: new Date(Date.UTC(2020, i, 1)), responsiveness: 3, communication: 3, requirementsClarity: 3, decisionSpeed: 3, overallSatisfaction: 3, recordedById: ctx.users[0]!.id },
      select: { id: true },
    });
    return [{ kind: "client_feedback", id: row.id, sees: (world, user) => seesFeedback(world, user, clientId) }];
  },
  roundtable_meeting: async (_db, ctx) => [{ kind: "roundtable_meeting", id: ctx.meetingId, sees: (world, user) => seesRoundtable(world, user, null) }],
  roundtable_entry: async (db, ctx, spec) => {
    const clientId = ctx.clients[spec.client]!.id;
    const entry = await db.roundtableEntry.upsert({
      where: { meetingId_clientId: { meetingId: ctx.meetingId, clientId } },
      create: { meetingId: ctx.meetingId, clientId, nextSteps: `${ctx.tag} next`, authorId: ctx.users[0]!.id },
      update: {},
      select: { id: true },
    });
    return [{ kind: "roundtable_entry", id: entry.id, sees: (world, user) => seesRoundtable(world, user, clientId) }];
  },
  roundtable_action_item: async (db, ctx, spec) => {
    const clientId = ctx.clients[spec.client]!.id;
    const entry = await db.roundtableEntry.upsert({
      where: { meetingId_clientId: { meetingId: ctx.meetingId, clientId } },
      create: { meetingId: ctx.meetingId, clientId, authorId: ctx.users[0]!.id },
      update: {},
      select: { id: true },
    });
    const item = await db.roundtableActionItem.create({
      data: { entryId: entry.id, clientId, description: `${ctx.tag} act`, assigneeId: ctx.users[0]!.id, dueDate: new Date("2024-02-01") },
      select: { id: true },
    });
    return [{ kind: "roundtable_action_item", id: item.id, sees: (world, user) => seesRoundtable(world, user, clientId) }];
  },
};
interface OwnContext {
  tag: string;
  users: OUser[];
  clients: OClient[];
  cases: OCase[];
  meetingId: string;
  documentTypeId: string;
}

let t: TestApp;
let typeId: string;
let caseSerial = 0;
let clientSerial = 0;

beforeAll(async () => {
  t = await createTestApp();
  typeId = (await t.db.caseType.create({ data: { name: "Reference model", code: `RM-${randomBytes(3).toString("hex")}` } })).id;
});
afterAll(async () => t.close());

// ------------------------------------------------------------------------------------------------ generated worlds

/** Every kind of user: each role, with and without a department, and each flag; ids are filled in per world. */
const CAST: Omit<OUser, "id">[] = [
  { role: "admin", relationshipTeam: false, legalTeam: false, viewConfidential: false, department: null },
  { role: "admin", relationshipTeam: true, legalTeam: false, viewConfidential: true, department: "Tax" },
  { role: "manager", relationshipTeam: false, legalTeam: false, viewConfidential: false, department: "Tax" },
  { role: "manager", relationshipTeam: false, legalTeam: true, viewConfidential: false, department: null },
  { role: "manager", relationshipTeam: false, legalTeam: false, viewConfidential: true, department: "Audit" },
  { role: "staff", relationshipTeam: false, legalTeam: false, viewConfidential: false, department: "Tax" },
  { role: "staff", relationshipTeam: false, legalTeam: true, viewConfidential: false, department: "Audit" },
  { role: "staff", relationshipTeam: true, legalTeam: false, viewConfidential: true, department: null },
];
const userSpec = fc.constant(CAST);

function worldSpec(users: number) {
  const person = fc.nat({ max: users - 1 });
  const maybePerson = fc.option(person, { nil: null });
  const team = fc.uniqueArray(person, { maxLength: 2 });
  const client = fc.record({
    isConfidential: fc.boolean(),
    dataClassification: fc.constantFrom("public" as const, "confidential" as const, "privileged" as const),
    accountManager: maybePerson,
    primaryPoc: maybePerson,
    secondaryPoc: maybePerson,
    team,
  });
  return fc.record({ users: userSpec, clients: fc.array(client, { minLength: 1, maxLength: 5 }) }).chain((w) =>
    fc.record({
      users: fc.constant(w.users),
      clients: fc.constant(w.clients),
      cases: fc.array(
        fc.record({ client: fc.nat({ max: w.clients.length - 1 }), manager: person, team, legal: fc.boolean(), compliance: fc.boolean(), deleted: fc.boolean() }),
        { maxLength: 8 },
      ),
      contacts: fc.array(fc.nat({ max: w.clients.length - 1 }), { maxLength: 4 }),
      own: fc.array(
        fc.record({
          kind: fc.constantFrom(...Object.keys(OWN_RULE_RECORDS)),
          client: fc.nat({ max: w.clients.length - 1 }),
          case: fc.option(fc.nat({ max: 7 }), { nil: null }),
          privileged: fc.boolean(),
          byCaseOnly: fc.boolean(),
          links: fc.uniqueArray(fc.nat({ max: 7 }), { maxLength: 3 }),
        }),
        { maxLength: 10 },
      ),
    }),
  );
}
type WorldSpec = ReturnType<typeof worldSpec> extends fc.Arbitrary<infer T> ? T : never;

interface Built {
  tag: string;
  categoryId: string;
  world: OWorld;
  readers: CurrentUser[];
  children: { kind: ChildKind; id: string; parentId: string }[];
  own: OwnRecord[];
  caseTitle: Map<string, string>;
}

/** Writes a generated world to the database (straight, not through the services: every shape is allowed). */
async function build(spec: WorldSpec): Promise<Built> {
  const db = t.db;
  const tag = `rm${randomBytes(4).toString("hex")}`;
  const users: OUser[] = [];
  const readers: CurrentUser[] = [];
  for (const [i, u] of spec.users.entries()) {
    const row = await makeUser(db, { ...u, name: `${tag} user ${i}` });
    users.push({ id: row.id, ...u });
    readers.push({ id: row.id, email: row.email, name: row.name, mustChangePassword: false, ...u });
  }
  const categoryId = (await db.clientCategory.create({ data: { name: `${tag} category` } })).id;
  const clients: OClient[] = [];
  for (const [i, c] of spec.clients.entries()) {
    const pick = (n: number | null) => (n === null ? null : users[n]!.id);
    const teamUserIds = c.team.map((n) => users[n]!.id);
    const row = await db.client.create({
      data: {
        clientCode: `CLT-1998-${String((clientSerial += 1)).padStart(4, "0")}`,
        name: `${tag} client ${i}`,
        clientType: "organization",
        categoryId,
        isConfidential: c.isConfidential,
        dataClassification: c.dataClassification,
        notes: `${tag} notes ${i}`,
        accountManagerId: pick(c.accountManager),
        primaryPocId: pick(c.primaryPoc),
        secondaryPocId: pick(c.secondaryPoc),
        createdById: users[0]!.id,
        team: { create: teamUserIds.map((userId) => ({ userId })) },
      },
    });
    clients.push({ id: row.id, isConfidential: c.isConfidential, dataClassification: c.dataClassification, accountManagerId: pick(c.accountManager), primaryPocId: pick(c.primaryPoc), secondaryPocId: pick(c.secondaryPoc), teamUserIds });
  }
  const cases: OCase[] = [];
  const caseTitle = new Map<string, string>();
  for (const [i, k] of spec.cases.entries()) {
    caseSerial += 1;
    const teamUserIds = k.team.map((n) => users[n]!.id);
    const title = `${tag} matter ${i}`;
    const row = await db.case.create({
      data: {
        caseNumber: `CASE-1998-${String(caseSerial).padStart(6, "0")}`,
        title,
        description: "Generated",
        clientId: clients[k.client]!.id,
        managerId: users[k.manager]!.id,
        typeId,
        legalReviewRequired: k.legal,
        complianceReviewRequired: k.compliance,
        deletedAt: k.deleted ? new Date() : null,
        deletedById: k.deleted ? users[0]!.id : null,
        createdById: users[0]!.id,
        team: { create: teamUserIds.map((userId) => ({ userId, role: "associate" as const })) },
      },
    });
    caseTitle.set(row.id, title);
    cases.push({ id: row.id, clientId: row.clientId, managerId: row.managerId, teamUserIds, legalReviewRequired: k.legal, complianceReviewRequired: k.compliance, deleted: k.deleted });
  }
  const children: Built["children"] = [];
  for (const clientIndex of spec.contacts) {
    const parentId = clients[clientIndex]!.id;
    children.push({ kind: "contact", parentId, id: (await CHILD_FACTORIES.contact(db, parentId, tag)).id });
  }
  const meetingId = (await db.roundtableMeeting.create({ data: { meetingDate: new Date("2024-01-15"), createdById: users[0]!.id }, select: { id: true } })).id;
  const documentTypeId = (await db.documentType.findFirstOrThrow({ select: { id: true } })).id;
  const ctx: OwnContext = { tag, users, clients, cases, meetingId, documentTypeId };
  const own: OwnRecord[] = [];
  for (const [i, o] of spec.own.entries()) own.push(...(await OWN_FACTORIES[o.kind]!(db, ctx, o, i)));
  if (!own.some((o) => o.kind === "roundtable_meeting")) own.push(...(await OWN_FACTORIES.roundtable_meeting!(db, ctx, spec.own[0] ?? ({} as OwnSpec), 0)));
  const ownIds = new Set<string>();
  const ownRecords = own.filter((o) => !ownIds.has(o.id) && ownIds.add(o.id));
  // Events about each record, as the services write them.
  const events = [
    ...ownRecords.map((o) => ({ action: `${o.kind}.update`, entityType: o.kind, entityId: o.id })),
    ...clients.map((c) => ({ action: "client.update", entityType: "client", entityId: c.id })),
    ...cases.map((k) => ({ action: "case.update", entityType: "case", entityId: k.id })),
    ...children.map((ch) => ({ action: `${ch.kind}.update`, entityType: ch.kind, entityId: ch.id })),
  ];
  await db.auditEvent.createMany({ data: events.map((e) => ({ ...e, changes: { tag: { before: null, after: tag } } })) });
  return { tag, categoryId, world: { users, clients, cases }, readers, children, own: ownRecords, caseTitle };
}

// ------------------------------------------------------------------------------------------------ the read paths

const sorted = (ids: Iterable<string>) => [...ids].sort();

async function idsWhere(table: string, alias: string, ids: string[], rule: Prisma.Sql): Promise<string[]> {
  if (!ids.length) return [];
  const rows = await t.db.$queryRaw<{ id: string }[]>`SELECT ${Prisma.raw(`"${alias}"`)}.id::text AS id FROM ${Prisma.raw(table)} ${Prisma.raw(`"${alias}"`)}
    WHERE ${Prisma.raw(`"${alias}"`)}.id = ANY(${ids}::uuid[]) AND ${rule}`;
  return sorted(rows.map((r) => r.id));
}

/** Every client read path, for one reader: each must list exactly `expected`. */
async function clientPaths(b: Built, reader: CurrentUser): Promise<Record<string, string[]>> {
  const ids = b.world.clients.map((c) => c.id);
  const mine = (list: Iterable<string>) => sorted([...list].filter((id) => ids.includes(id)));
  const filters = clientFilters.parse({ category: b.categoryId, perPage: "100" });
  const view = await clientListView(t.db, reader, filters);
  const exported: string[] = [];
  for await (const batch of exportBatches(t.db, reader, filters)) exported.push(...batch.rows.map((r) => r[1]!));
  const detail: string[] = [];
  const checked: string[] = [];
  for (const id of ids) {
    if (await clientDetailRow(t.db, reader, id)) detail.push(id);
    if (await visibleClient(t.db, reader, id)) checked.push(id);
  }
  const byPoc = await clientsByPointOfContact(t.db, reader, 100);
  const nameToId = new Map(b.world.clients.map((c, i) => [`${b.tag} client ${i}`, c.id]));
  return {
    list: mine(view.page.rows.map((r) => r.id)),
    count: Array.from({ length: view.counts.total }, (_, i) => `#${i}`),
    search: mine((await clientListView(t.db, reader, clientFilters.parse({ q: b.tag, perPage: "100" }))).page.rows.map((r) => r.id)),
    autocomplete: mine((await suggestClients(t.db, reader, b.tag, 50)).map((s) => s.id)),
    export: mine(exported.map((name) => nameToId.get(name)!)),
    detail: mine(detail),
    rowCheck: mine(checked),
    rule: await idsWhere("clients", "c", ids, visibleClientsSql(reader, "c")),
    byPointOfContact: mine(new Set(byPoc.people.flatMap((p) => [...p.primaryPocClients, ...p.secondaryPocClients].map((c) => c.id)))),
  };
}

async function caseIdsOnPage(reader: CurrentUser, q: string): Promise<{ list: string[]; counted: number; board: string[] }> {
  const filters = caseFilters.parse({ q, perPage: "100" });
  const view = await caseListView(t.db, reader, filters);
  const board = await caseBoardView(t.db, reader, filters);
  return { list: view.rows.map((r) => r.id), counted: view.counts.total, board: board.columns.flatMap((c) => c.cards.map((card) => card.id)) };
}

describe("every read path returns exactly what DOMAIN.md's rules say", () => {
  it("registers a test factory for every child record that inherits its parent's rule", () => {
    expect(Object.keys(CHILD_FACTORIES).sort()).toEqual(Object.keys(CHILD_RECORDS).sort());
    expect(Object.keys(OWN_FACTORIES).sort()).toEqual(Object.keys(OWN_RULE_RECORDS).sort());
  });

  it("for generated clients, cases, contacts, events and every kind of user", async () => {
    await fc.assert(
      fc.asyncProperty(worldSpec(CAST.length), async (spec) => {
        const b = await build(spec);
        const { world } = b;
        for (const reader of b.readers) {
          const user = world.users.find((u) => u.id === reader.id)!;
          const who = JSON.stringify(user);

          // Clients: lists, counts, search, autocomplete, export, detail, the row check, the rule, by point of contact.
          const expected = sorted(world.clients.filter((c) => seesClient(user, c)).map((c) => c.id));
          const paths = await clientPaths(b, reader);
          for (const [path, got] of Object.entries(paths)) {
            if (path === "count") expect(got.length, `${path} ${who}`).toBe(expected.length);
            else if (path === "byPointOfContact") {
              const withPoc = sorted(world.clients.filter((c) => seesClient(user, c) && (c.primaryPocId || c.secondaryPocId)).map((c) => c.id));
              expect(got, `${path} ${who}`).toEqual(withPoc);
            } else expect(got, `${path} ${who}`).toEqual(expected);
          }

          // Privileged material: the client's team only.
          const clientIds = world.clients.map((c) => c.id);
          const privileged = sorted(world.clients.filter((c) => seesPrivilegedMaterial(user, c)).map((c) => c.id));
          expect(await idsWhere("clients", "c", clientIds, privilegedVisibleSql(reader, Prisma.sql`c.id`)), `privileged ${who}`).toEqual(privileged);
          for (const c of world.clients) {
            const row = await clientDetailRow(t.db, reader, c.id);
            if (row) expect(row.privilegedVisible, `detail privileged ${who}`).toBe(seesPrivilegedMaterial(user, c));
          }

          // Cases: the rule, the list and its counts, the board, the client hub, detail, the row check, own cases, deleted.
          const caseIds = world.cases.map((k) => k.id);
          const seen = sorted(world.cases.filter((k) => seesCase(world, user, k)).map((k) => k.id));
          expect(await idsWhere("cases", "k", caseIds, visibleCasesSql(reader, "k")), `case rule ${who}`).toEqual(seen);
          expect(await idsWhere("cases", "k", caseIds, caseChildVisibleSql(reader, Prisma.sql`k.id`)), `case child ${who}`).toEqual(seen);
          const page = await caseIdsOnPage(reader, b.tag);
          expect(sorted(page.list), `case list ${who}`).toEqual(seen);
          expect(page.counted, `case counts ${who}`).toBe(seen.length);
          expect(sorted(page.board), `board ${who}`).toEqual(seen);
          let hub = 0;
          for (const c of world.clients) hub += (await clientCasesSummary(t.db, reader, c.id)).total;
          expect(hub, `client hub cases ${who}`).toBe(seen.length);
          const detail: string[] = [];
          const checked: string[] = [];
          for (const id of caseIds) {
            if (await caseDetailRow(t.db, reader, id)) detail.push(id);
            if (await caseIsVisible(t.db, reader, id)) checked.push(id);
          }
          expect(sorted(detail), `case detail ${who}`).toEqual(seen);
          expect(sorted(checked), `case row check ${who}`).toEqual(seen);
          const own = ownVisibleCasesSql(reader);
          if (own) {
            const rows = await t.db.$queryRaw<{ id: string }[]>`SELECT o.id::text AS id FROM ${own} o WHERE o.id = ANY(${caseIds}::uuid[])`;
            expect(sorted(rows.map((r) => r.id)), `own cases ${who}`).toEqual(seen);
          }
          const deleted = sorted(world.cases.filter((k) => seesDeletedCase(world, user, k)).map((k) => k.id));
          expect(await idsWhere("cases", "k", caseIds, deletedCasesSql(reader, "k")), `deleted rule ${who}`).toEqual(deleted);
          expect(sorted((await deletedCases(t.db, reader)).map((r) => r.id).filter((id) => caseIds.includes(id))), `deleted page ${who}`).toEqual(deleted);

          // Child records: exactly their parent's rule.
          for (const kind of Object.keys(CHILD_RECORDS) as ChildKind[]) {
            const mine = b.children.filter((ch) => ch.kind === kind);
            const table = CHILD_RECORDS[kind].table;
            const want = sorted(mine.filter((ch) => seesChild(world, user, CHILD_RECORDS[kind].parent, ch.parentId)).map((ch) => ch.id));
            expect(await idsWhere(table, "x", mine.map((ch) => ch.id), childVisibleSql(reader, kind, "x")), `${kind} ${who}`).toEqual(want);
          }

          // Records with a rule of their own: the rule, and the detail reads of documents and communications.
          for (const [kind, rec] of Object.entries(OWN_RULE_RECORDS)) {
            const mine = b.own.filter((o) => o.kind === kind);
            const want = sorted(mine.filter((o) => o.sees(world, user)).map((o) => o.id));
            expect(await idsWhere(rec.table, "x", mine.map((o) => o.id), rec.visibleSql(reader, "x")), `${kind} ${who}`).toEqual(want);
            if (kind === "document") {
              // The privileged filter gathers its candidates from the reader's clients: with the rule, exactly the
              // privileged material the reader may see.
              const material = sorted(mine.filter((o) => o.privilegedMaterial!(world) && o.sees(world, user)).map((o) => o.id));
              const filtered = Prisma.sql`${rec.visibleSql(reader, "x")} AND (x.privileged OR x.client_privileged) AND ${privilegedMaterialOfMyClientsSql(reader, "x")}`;
              expect(await idsWhere(rec.table, "x", mine.map((o) => o.id), filtered), `privileged documents ${who}`).toEqual(material);
            }
            if (kind === "document" || kind === "communication") {
              const read: string[] = [];
              for (const o of mine) if (await (kind === "document" ? documentDetail(t.db, reader, o.id) : communicationRow(t.db, reader, o.id))) read.push(o.id);
              expect(sorted(read), `${kind} detail ${who}`).toEqual(want);
            }
          }

          // The audit log: an event is listed exactly when its record is visible.
          const events = await searchAuditLog(t.db, reader, auditFilters.parse({ perPage: "200", action: "*" }));
          const tagged = new Set(events.events.filter((e) => JSON.stringify(e.changes).includes(b.tag)).map((e) => e.entityId!));
          const wantEvents = new Set([
            ...expected,
            ...world.cases.filter((k) => seesCase(world, user, k) || seesDeletedCase(world, user, k)).map((k) => k.id),
            ...b.children.filter((ch) => seesChild(world, user, CHILD_RECORDS[ch.kind].parent, ch.parentId)).map((ch) => ch.id),
            ...b.own.filter((o) => o.sees(world, user)).map((o) => o.id),
          ]);
          expect(sorted(tagged), `audit ${who}`).toEqual(sorted(wantEvents));
          // The rule asked for one kind of record at a time (a query that reads one kind's events) agrees.
          const byKind: string[] = [];
          for (const kind of ["client", "case", ...Object.keys(CHILD_RECORDS), ...Object.keys(OWN_RULE_RECORDS)]) {
            const rows = await t.db.$queryRaw<{ id: string }[]>`SELECT DISTINCT e.entity_id AS id FROM audit_events e
              WHERE e.entity_type = ${kind} AND e.changes::text LIKE ${`%${b.tag}%`} AND ${auditEventVisibleSql(reader, "e", { entityType: kind })}`;
            byKind.push(...rows.map((r) => r.id));
          }
          expect(sorted(byKind), `audit by kind ${who}`).toEqual(sorted(wantEvents));
        }
      }),
      { numRuns: 10, endOnFailure: true },
    );
  }, 300_000);
});
