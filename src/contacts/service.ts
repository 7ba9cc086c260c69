// Contacts: the people at an organization client. They exist only through their client: every read and write checks
// that the actor may see the client (access/clients.ts), and a contact id is looked up within that client only.
// At most one contact per client is primary (a partial unique index holds it); every change that moves the flag
// locks the client row first, so concurrent switches run one after the other, and is audited in the same transaction.
import type { Db, Tx } from "../db/client.ts";
import type { Actor } from "../access/roles.ts";
import { assertCan } from "../access/permissions.ts";
import { requireVisibleClient } from "../access/records.ts";
import { changedFields, recordAudit } from "../audit/service.ts";
import { getClient } from "../clients/service.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import { CONTACT_FIELDS, type ContactInput } from "./schemas.ts";
import { isUuid } from "../web/fields.ts";

const AUDITED = ["clientId", ...CONTACT_FIELDS] as const;

interface ClientFacts {
  id: string;
  name: string;
  clientType: string;
}

/** Contacts are kept for organizations; an individual's own details live on the client. */
export function assertOrganization(client: ClientFacts): void {
  if (client.clientType !== "organization") {
    throw new ConflictError(`Contacts are kept for organization clients only. ${client.name} is an individual: keep their details on the client itself.`);
  }
}

function assertMayEdit(actor: Actor): void {
  assertCan(actor, "client.editContacts");
}

/**
 * The client (with its contacts, primary first, then active, then by name) and one of its contacts, for the pages.
 * Hidden client, missing client, unknown contact and another client's contact all give the same NotFound.
 */
export async function getContact(db: Db, actor: Actor, clientId: string, contactId: string, options: { audit?: boolean } = {}) {
  const detail = await getClient(db, actor, clientId, options);
  const contact = isUuid(contactId) ? detail.client.contacts.find((c) => c.id === contactId) : undefined;
  if (!contact) throw new NotFoundError();
  return { client: detail.client, contact };
}

/** Locks the client row (serialising every contact change of that client), then checks the actor may see it. */
async function lockVisibleClient(tx: Tx, actor: Actor, clientId: string): Promise<ClientFacts> {
  const { id, name, clientType } = await requireVisibleClient(tx, actor, clientId, { lock: true });
  return { id, name, clientType } as ClientFacts;
}

async function contactOf(tx: Tx, clientId: string, contactId: string) {
  if (!isUuid(contactId)) throw new NotFoundError();
  const contact = await tx.contact.findFirst({ where: { id: contactId, clientId } });
  if (!contact) throw new NotFoundError();
  return contact;
}

/** Clears the current primary (other than `keep`), audited; the caller holds the client lock. */
async function clearPrimary(tx: Tx, actor: Actor, clientId: string, keep?: string) {
  const current = await tx.contact.findFirst({ where: { clientId, isPrimary: true, ...(keep ? { id: { not: keep } } : {}) } });
  if (!current) return null;
  await tx.contact.update({ where: { id: current.id }, data: { isPrimary: false } });
  await recordAudit(tx, {
    actorId: actor.id,
    action: "contact.primary_unset",
    entityType: "contact",
    entityId: current.id,
    changes: { isPrimary: { before: true, after: false } },
    context: actor.context,
  });
  return current;
}

/** The client's primary contact moving from one contact to another, recorded on the new primary's event. */
function primaryMove(previous: { id: string } | null, next: string) {
  return { clientPrimaryContactId: { before: previous?.id ?? null, after: next } };
}

function contactData(input: ContactInput) {
  return {
    name: input.name,
    title: input.title,
    email: input.email,
    phone: input.phone,
    mobile: input.mobile,
    notes: input.notes,
    active: input.active,
    isPrimary: input.isPrimary && input.active,
  };
}

/** The partial unique index is the last word on "one primary": should it ever fire, say so instead of failing. */
async function holdingOnePrimary<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === "P2002") {
      throw new ConflictError("Another contact was made primary at the same moment. Reload the client and try again.");
    }
    throw error;
  }
}

export async function createContact(db: Db, actor: Actor, clientId: string, input: ContactInput, options: { tx?: Tx } = {}): Promise<{ id: string; name: string }> {
  assertMayEdit(actor);
  // With `tx`, the contact is part of the caller's transaction (a converted prospect's contact).
  const run = async (tx: Tx) => {
    const client = await lockVisibleClient(tx, actor, clientId);
    assertOrganization(client);
    const data = contactData(input);
    const previous = data.isPrimary ? await clearPrimary(tx, actor, clientId) : null;
    const created = await tx.contact.create({ data: { ...data, clientId } });
    const changes = { ...changedFields(null, created, AUDITED), ...(data.isPrimary ? primaryMove(previous, created.id) : {}) };
    await recordAudit(tx, { actorId: actor.id, action: "contact.create", entityType: "contact", entityId: created.id, changes, context: actor.context });
    return { id: created.id, name: created.name };
  };
  return options.tx ? run(options.tx) : holdingOnePrimary(() => db.$transaction(run));
}

export async function updateContact(db: Db, actor: Actor, clientId: string, contactId: string, input: ContactInput): Promise<void> {
  assertMayEdit(actor);
  await holdingOnePrimary(() =>
    db.$transaction(async (tx) => {
      const client = await lockVisibleClient(tx, actor, clientId);
      assertOrganization(client);
      const before = await contactOf(tx, clientId, contactId);
      if (input.updatedAt && before.updatedAt.toISOString() !== input.updatedAt) {
        throw new ConflictError("Someone else saved this contact while you were editing. Your changes are below, not yet saved: check the current values and save again.");
      }
      const data = contactData(input);
      const becomesPrimary = data.isPrimary && !before.isPrimary;
      const previous = becomesPrimary ? await clearPrimary(tx, actor, clientId, contactId) : null;
      const after = await tx.contact.update({ where: { id: contactId }, data });
      const fields = changedFields(before, after, AUDITED);
      const changes = fields && becomesPrimary ? { ...fields, ...primaryMove(previous, contactId) } : fields;
      if (changes) await recordAudit(tx, { actorId: actor.id, action: "contact.update", entityType: "contact", entityId: contactId, changes, context: actor.context });
    }),
  );
}

/** Makes one contact the client's primary and un-primaries the previous one, in one transaction. */
export async function makePrimaryContact(db: Db, actor: Actor, clientId: string, contactId: string): Promise<{ name: string; changed: boolean; previous: string | null }> {
  assertMayEdit(actor);
  return holdingOnePrimary(() =>
    db.$transaction(async (tx) => {
      const client = await lockVisibleClient(tx, actor, clientId);
      assertOrganization(client);
      const contact = await contactOf(tx, clientId, contactId);
      if (!contact.active) throw new ConflictError(`${contact.name} is inactive. Reactivate them before making them the primary contact.`);
      if (contact.isPrimary) return { name: contact.name, changed: false, previous: null };
      const previous = await clearPrimary(tx, actor, clientId, contactId);
      await tx.contact.update({ where: { id: contactId }, data: { isPrimary: true } });
      await recordAudit(tx, {
        actorId: actor.id,
        action: "contact.primary_set",
        entityType: "contact",
        entityId: contactId,
        changes: { isPrimary: { before: false, after: true }, ...primaryMove(previous, contactId) },
        context: actor.context,
      });
      return { name: contact.name, changed: true, previous: previous?.name ?? null };
    }),
  );
}

/** Deactivating keeps the contact (and its history) but takes away the primary flag: the primary must be active. */
export async function setContactActive(db: Db, actor: Actor, clientId: string, contactId: string, active: boolean): Promise<{ name: string; changed: boolean; wasPrimary: boolean }> {
  assertMayEdit(actor);
  return db.$transaction(async (tx) => {
    await lockVisibleClient(tx, actor, clientId);
    const before = await contactOf(tx, clientId, contactId);
    if (before.active === active) return { name: before.name, changed: false, wasPrimary: before.isPrimary };
    const after = await tx.contact.update({ where: { id: contactId }, data: active ? { active } : { active, isPrimary: false } });
    await recordAudit(tx, {
      actorId: actor.id,
      action: active ? "contact.reactivate" : "contact.deactivate",
      entityType: "contact",
      entityId: contactId,
      changes: changedFields(before, after, AUDITED),
      context: actor.context,
    });
    return { name: before.name, changed: true, wasPrimary: before.isPrimary };
  });
}

export async function deleteContact(db: Db, actor: Actor, clientId: string, contactId: string): Promise<{ name: string }> {
  assertMayEdit(actor);
  return db.$transaction(async (tx) => {
    await lockVisibleClient(tx, actor, clientId);
    const before = await contactOf(tx, clientId, contactId);
    await tx.contact.delete({ where: { id: contactId } });
    const gone = Object.fromEntries(AUDITED.map((f) => [f, null]));
    await recordAudit(tx, { actorId: actor.id, action: "contact.delete", entityType: "contact", entityId: contactId, changes: changedFields(before, gone, AUDITED), context: actor.context });
    return { name: before.name };
  });
}
