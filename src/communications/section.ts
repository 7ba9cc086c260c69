// The communications section of the client page, also answered alone to the quick form's fetch.
import type { Db } from "../db/client.ts";
import type { CurrentUser } from "../access/roles.ts";
import type { FieldErrors } from "../web/forms.ts";
import { LABELS as CASE_LABELS } from "../cases/schemas.ts";
import { COMMUNICATION_TYPES, DIRECTIONS, LABELS } from "./schemas.ts";
import { clientTimeline, formChoicesRead, openFollowUpsRead, type FormChoices, type OpenFollowUps, type Page, type TimelineEntry } from "./queries.ts";
import { sqlReads } from "../db/sql.ts";

export const nowValue = () => new Date().toISOString().slice(0, 16);
export const defaults = (user: CurrentUser): Record<string, string> => ({ type: "phone", direction: "outbound", occurredAt: nowValue(), followUpAssigneeId: user.id });
export const shared = { labels: LABELS, caseLabels: CASE_LABELS, types: COMMUNICATION_TYPES, directions: DIRECTIONS };

/** The communications section of the client page: quick form, open follow-ups and the latest of the timeline. */
export async function clientCommunicationsSection(db: Db, user: CurrentUser, clientId: string, form: { values?: Record<string, unknown>; errors?: FieldErrors } = {}) {
  const section = clientCommunicationsSectionReads(user, clientId, form);
  const [[choices, followUps], timeline] = await Promise.all([sqlReads(db, section.reads), section.timeline(db)]);
  return section.assemble(choices, followUps, timeline);
}

/**
 * The section as the reads the client page asks in its one statement (the form's choices, the open follow-ups), the
 * timeline (its own statements: its events decide which rows it reads next), and how they make the section.
 */
export function clientCommunicationsSectionReads(user: CurrentUser, clientId: string, form: { values?: Record<string, unknown>; errors?: FieldErrors } = {}) {
  return {
    reads: [formChoicesRead(user, clientId), openFollowUpsRead(user, { clientId }, 20)] as const,
    timeline: (db: Db) => clientTimeline(db, user, clientId, {}, 10),
    assemble: (choices: FormChoices, followUps: OpenFollowUps, timeline: Page<TimelineEntry>) => ({
      choices, followUps, timeline, values: form.values ?? defaults(user), errors: form.errors ?? {}, ...shared,
    }),
  };
}

