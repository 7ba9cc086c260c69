// The audit page's filters, parsed from its query string (anything malformed is dropped, never a 500).
import { z } from "zod";

const dateText = z
  .string()
  .regex(/^[1-9]\d{3}-\d{2}-\d{2}$/)
  // A real calendar day (not 2020-13-45 or 2021-02-30), else the query gets an Invalid Date and fails.
  .refine((s) => {
    const day = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(s);
  })
  .optional()
  .catch(undefined);
const idText = z.string().regex(/^\d{1,18}$/).optional().catch(undefined);

export const auditFilters = z.object({
  actor: z.uuid().optional().catch(undefined),
  action: z.string().trim().max(100).optional().catch(undefined),
  entityType: z.string().trim().max(50).optional().catch(undefined),
  entityId: z.string().trim().max(100).optional().catch(undefined),
  from: dateText,
  to: dateText,
  before: idText,
  after: idText,
  perPage: z.coerce.number().int().min(10).max(200).optional().catch(undefined),
  /** Where this keyset page starts in the list (1-based), carried by the pager's links: "Showing 51–100 of 1,000+". */
  pos: z.coerce.number().int().min(1).max(10_000_000).catch(1).default(1),
});
export type AuditFilters = z.infer<typeof auditFilters>;
