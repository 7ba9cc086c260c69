// The communications section of the client page, also answered alone to the quick form's fetch.
import type { Db } from "../db/client.ts";
import type { CurrentUser } from "../access/roles.ts";
import type { FieldErrors } from "../web/forms.ts";
import { LABELS as CASE_LABELS } from "../cases/schemas.ts";
import { COMMUNICATION_TYPES, DIRECTIONS, LABELS } from "./schemas.ts";
import { clientTimeline, formChoices, openFollowUps } from "./queries.ts";

export const nowValue = () => new Date().toISOString().slice(0, 16);
export const defaults = (user: CurrentUser): Record<string, string> => ({ type: "phone", direction: "outbound", occurredAt: nowValue(), followUpAssigneeId: user.id });
export const shared = { labels: LABELS, caseLabels: CASE_LABELS, types: COMMUNICATION_TYPES, directions: DIRECTIONS };

/** The communications section of the client page: quick form, open follow-ups and the latest of the timeline. */
export async function clientCommunicationsSection(db: Db, user: CurrentUser, clientId: string, form: { values?: Record<string, unknown>; errors?: FieldErrors } = {}) {
  const [choices, followUps, timeline] = await Promise.all([
    formChoices(db, user, clientId),
    openFollowUps(db, user, { clientId }, 20),
    clientTimeline(db, user, clientId, {}, 10),
  ]);
  return { choices, followUps, timeline, values: form.values ?? defaults(user), errors: form.errors ?? {}, ...shared };
}

