// Shared by the communication tests: a form as the quick form sends it, and communications written through the service.
import type { Db } from "../../src/db/client.ts";
import type { CurrentUser } from "../../src/access/roles.ts";
import { communicationForm } from "../../src/communications/schemas.ts";
import { logCommunication } from "../../src/communications/service.ts";
import { actor } from "../cases/support.ts";

export { makeClient } from "../clients/support.ts";
export { actor, makeCaseType, openCase } from "../cases/support.ts";

/** A datetime-local value `days` before now (UTC), as the browser sends it. */
export function localTime(daysAgo: number, at = new Date()): string {
  return new Date(at.getTime() - daysAgo * 86_400_000).toISOString().slice(0, 16);
}

export function formOf(fields: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return { type: "phone", direction: "outbound", occurredAt: localTime(0), subject: "Call about the renewal", notes: "", ...fields };
}

/** A communication logged through the service by `by`, with the form's rules. */
export async function logAs(db: Db, by: CurrentUser, clientId: string, fields: Record<string, string | string[]> = {}) {
  return logCommunication(db, actor(by), clientId, communicationForm.parse(formOf(fields)));
}
