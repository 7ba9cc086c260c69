// The case detail read as ONE hand-written query: the case with every relation its page shows, gathered as JSON.
// Building and parsing the ORM's findFirst+include cost most of the page's CPU; this returns the same shape
// (service.ts caseDetailInclude / CaseDetail), filtered by the same access policy (access/cases.ts).
import { Prisma } from "../generated/prisma/client.ts";
import type { Db, Tx } from "../db/client.ts";
import { jsonDate, sqlRows } from "../db/sql.ts";
import type { CurrentUser } from "../access/roles.ts";
import { visibleCasesSql } from "../access/cases.ts";
import type { CaseDetail } from "./service.ts";

const snake = (field: string) => field.replace(/[A-Z]/g, (l) => `_${l.toLowerCase()}`);

/** Every scalar column of a case, as the ORM names them. */
const CASE_COLUMNS = [
  "id", "caseNumber", "title", "description", "summary", "clientId", "clientConfidential", "contactId", "managerId", "typeId", "templateId",
  "category", "priority", "complexity", "riskLevel", "status", "currentStageId", "nextReviewDate", "complianceReviewRequired",
  "legalReviewRequired", "estimatedValue", "actualCost", "billingMethod", "resolutionDate", "resolutionType", "resolutionSummary",
  "satisfaction", "statusChangedAt", "deletedAt", "deletedById", "createdById", "updatedById", "createdAt", "updatedAt",
] as const;
/** Enums come back as text; decimals as text too, so both ways of running the query (pool or $queryRaw) agree. */
const AS_TEXT = new Set(["category", "priority", "complexity", "riskLevel", "status", "billingMethod", "resolutionType", "estimatedValue", "actualCost"]);
const CASE_SELECT = Prisma.raw(CASE_COLUMNS.map((f) => `k.${snake(f)}${AS_TEXT.has(f) ? "::text" : ""} AS "${f}"`).join(", "));

/** Every scalar column of a case stage, as JSON object entries. */
const STAGE_COLUMNS = [
  "id", "caseId", "position", "name", "stageType", "required", "parallel", "approvalRequired", "minApprovers", "status",
  "assigneeId", "deadline", "startedAt", "startedById", "completedAt", "completedById", "notes", "updatedAt",
] as const;
const STAGE_FIELDS = STAGE_COLUMNS.map((f) => `'${f}', s.${snake(f)}`).join(", ");

/** A user as `{ id, name }` (or null), the user being `column` of the row aliased `alias`. */
const who = (alias: string, column: string) => `(SELECT json_build_object('id', u.id, 'name', u.name) FROM users u WHERE u.id = ${alias}.${column})`;

const DETAIL_SQL = Prisma.raw(`SELECT ${CASE_SELECT.text},
      (SELECT json_build_object('id', c.id, 'name', c.name, 'clientCode', c.client_code, 'status', c.status, 'isConfidential', c.is_confidential,
              'dataClassification', c.data_classification) FROM clients c WHERE c.id = k.client_id) AS client,
      (SELECT json_build_object('id', p.id, 'name', p.name, 'email', p.email, 'phone', p.phone, 'title', p.title)
         FROM contacts p WHERE p.id = k.contact_id) AS contact,
      (SELECT json_build_object('id', u.id, 'name', u.name, 'email', u.email, 'department', u.department) FROM users u WHERE u.id = k.manager_id) AS manager,
      (SELECT json_build_object('id', t.id, 'name', t.name, 'code', t.code, 'requiresLegalReview', t.requires_legal_review,
              'requiresComplianceReview', t.requires_compliance_review) FROM case_types t WHERE t.id = k.type_id) AS type,
      (SELECT json_build_object('id', tp.id, 'name', tp.name, 'code', tp.code, 'requiredDocumentTypes', tp.required_document_types)
         FROM case_templates tp WHERE tp.id = k.template_id) AS template,
      (SELECT json_build_object('id', cs.id, 'name', cs.name, 'status', cs.status) FROM case_stages cs WHERE cs.id = k.current_stage_id) AS "currentStage",
      ${who("k", "created_by_id")} AS "createdBy", ${who("k", "updated_by_id")} AS "updatedBy", ${who("k", "deleted_by_id")} AS "deletedBy",
      (SELECT coalesce(json_agg(json_build_object('caseId', m.case_id, 'userId', m.user_id, 'role', m.role, 'addedAt', m.added_at,
              'user', json_build_object('id', u.id, 'name', u.name, 'email', u.email, 'active', u.active)) ORDER BY m.added_at, m.user_id), '[]')
         FROM case_team_members m JOIN users u ON u.id = m.user_id WHERE m.case_id = k.id) AS team,
      (SELECT coalesce(json_agg(json_build_object(${STAGE_FIELDS},
              'assignee', ${who("s", "assignee_id")}, 'startedBy', ${who("s", "started_by_id")}, 'completedBy', ${who("s", "completed_by_id")},
              'approvals', (SELECT coalesce(json_agg(json_build_object('stageId', a.stage_id, 'userId', a.user_id, 'note', a.note, 'approvedAt', a.approved_at,
                      'user', json_build_object('id', u.id, 'name', u.name)) ORDER BY a.approved_at, a.user_id), '[]')
                 FROM case_stage_approvals a JOIN users u ON u.id = a.user_id WHERE a.stage_id = s.id)) ORDER BY s.position), '[]')
         FROM case_stages s WHERE s.case_id = k.id) AS stages
    FROM cases k`);

const decimal = (value: unknown): Prisma.Decimal | null => (value === null || value === undefined ? null : new Prisma.Decimal(String(value)));
/** A JSON column: parsed by the pool's driver, but possibly still text on another path. */
const json = <T>(value: unknown): T => (typeof value === "string" ? (JSON.parse(value) as T) : (value as T));

interface StageJson extends Record<string, unknown> {
  deadline: string | null;
  startedAt: string | null;
  completedAt: string | null;
  updatedAt: string;
  approvals: (Record<string, unknown> & { approvedAt: string })[];
}

/**
 * A visible case with everything its detail page shows, in ONE query, or undefined when the user may not see it or
 * it does not exist (deleted cases included). Same shape as the ORM's include (service.ts caseDetailInclude).
 * Callers check the id is a uuid first.
 */
export async function caseDetailRow(db: Db | Tx, user: CurrentUser, id: string): Promise<CaseDetail | undefined> {
  const [row] = await sqlRows<Record<string, unknown>>(db, Prisma.sql`${DETAIL_SQL} WHERE k.id = ${id}::uuid AND ${visibleCasesSql(user, "k")}`);
  if (!row) return undefined;
  for (const field of ["resolutionDate", "statusChangedAt", "deletedAt", "createdAt", "updatedAt"]) row[field] = jsonDate(row[field]);
  row.nextReviewDate = jsonDate(row.nextReviewDate);
  row.estimatedValue = decimal(row.estimatedValue);
  row.actualCost = decimal(row.actualCost);
  for (const field of ["client", "contact", "manager", "type", "template", "currentStage", "createdBy", "updatedBy", "deletedBy"]) row[field] = json(row[field]);
  row.team = json<(Record<string, unknown> & { addedAt: string })[]>(row.team).map((m) => ({ ...m, addedAt: jsonDate(m.addedAt) }));
  row.stages = json<StageJson[]>(row.stages).map((s) => ({
    ...s,
    deadline: jsonDate(s.deadline),
    startedAt: jsonDate(s.startedAt),
    completedAt: jsonDate(s.completedAt),
    updatedAt: jsonDate(s.updatedAt),
    approvals: s.approvals.map((a) => ({ ...a, approvedAt: jsonDate(a.approvedAt) })),
  }));
  return row as unknown as CaseDetail;
}
