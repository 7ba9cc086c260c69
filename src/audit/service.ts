// Append-only audit log: written in the same transaction as the change it records.
import type { Tx } from "../db/client.ts";
import type { RequestContext } from "../access/roles.ts";

export type FieldChanges = Record<string, { before: unknown; after: unknown }>;

export interface AuditEntry {
  actorId?: string | null;
  actorLabel?: string | null;
  action: string;
  entityType?: string;
  entityId?: string;
  changes?: FieldChanges | null;
  context?: RequestContext;
}

type AuditWriter = Pick<Tx, "$executeRaw">;

/**
 * Appends one event, in the caller's transaction. A plain INSERT (every write of the app records one or two, and the
 * ORM's query building cost more than the insert); the time is the statement's, in UTC as all times are stored.
 */
export async function recordAudit(db: AuditWriter, entry: AuditEntry): Promise<void> {
  const changes = entry.changes === undefined || entry.changes === null ? null : JSON.stringify(entry.changes);
  await db.$executeRaw`INSERT INTO audit_events (at, actor_id, actor_label, action, entity_type, entity_id, changes, ip, user_agent, request_id)
    VALUES (clock_timestamp() AT TIME ZONE 'UTC', ${entry.actorId ?? null}::uuid, ${entry.actorLabel?.slice(0, 320) ?? null}, ${entry.action},
      ${entry.entityType ?? null}, ${entry.entityId ?? null}, ${changes}::jsonb, ${entry.context?.ip ?? null},
      ${entry.context?.userAgent?.slice(0, 500) ?? null}, ${entry.context?.requestId ?? null})`;
}

/** An entry written by the acting user, with the request it came from. */
export function recordAuditBy(db: AuditWriter, actor: { id: string; context: RequestContext }, entry: Omit<AuditEntry, "actorId" | "actorLabel" | "context">): Promise<void> {
  return recordAudit(db, { ...entry, actorId: actor.id, context: actor.context });
}

/** Field-level before/after for the fields that changed; undefined when nothing did. */
export function changedFields(before: object | null, after: object, fields: readonly string[]): FieldChanges | undefined {
  const changes: FieldChanges = {};
  const was_ = before as Record<string, unknown> | null;
  const now_ = after as Record<string, unknown>;
  for (const field of fields) {
    const was = was_ ? normalise(was_[field]) : null;
    const now = normalise(now_[field]);
    if (JSON.stringify(was) !== JSON.stringify(now)) changes[field] = { before: was, after: now };
  }
  return Object.keys(changes).length ? changes : undefined;
}

/** Facts about an event that have no "before" (a reason, a count, the ids touched): { field: { before: null, after } }. */
export function eventFacts(values: Record<string, unknown>): FieldChanges {
  const facts: FieldChanges = {};
  for (const [field, value] of Object.entries(values)) facts[field] = { before: null, after: value };
  return facts;
}

function normalise(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  return value ?? null;
}
