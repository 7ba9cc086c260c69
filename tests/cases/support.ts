// Shared by the case tests: case types, templates and cases, built through the services (so the rules apply)
// or written straight to the database where a test needs a state the rules would take many steps to reach.
import type { Db } from "../../src/db/client.ts";
import type { Prisma } from "../../src/generated/prisma/client.ts";
import type { Actor, CurrentUser } from "../../src/access/roles.ts";
import { createCase, type CaseSettings } from "../../src/cases/service.ts";
import { newCaseForm } from "../../src/cases/schemas.ts";
import { makeClient } from "../clients/support.ts";

export { makeClient };
export const SETTINGS: CaseSettings = { maxActiveCasesPerManager: 40 };

let fixtureNumber = 0;

export function actor(user: CurrentUser | (CurrentUser & Record<string, unknown>)): Actor {
  return { ...(user as CurrentUser), context: { ip: "127.0.0.1", userAgent: "vitest" } };
}

export interface StageSpec {
  name: string;
  stageType?: Prisma.CaseTemplateStageCreateManyTemplateInput["stageType"];
  required?: boolean;
  parallel?: boolean;
  approvalRequired?: boolean;
  minApprovers?: number;
  defaultDurationDays?: number | null;
}

/** A case type, optionally with a default template of the given stages. */
export async function makeCaseType(db: Db, options: { name?: string; requiresLegalReview?: boolean; requiresComplianceReview?: boolean; parentId?: string; stages?: StageSpec[]; active?: boolean } = {}) {
  fixtureNumber += 1;
  const type = await db.caseType.create({
    data: {
      name: options.name ?? `Fixture Type ${fixtureNumber}`,
      code: `FT${fixtureNumber}-${Math.random().toString(36).slice(2, 6)}`,
      requiresLegalReview: options.requiresLegalReview ?? false,
      requiresComplianceReview: options.requiresComplianceReview ?? false,
      parentId: options.parentId ?? null,
      active: options.active ?? true,
    },
  });
  if (!options.stages) return { type, template: null };
  const template = await makeTemplate(db, type.id, options.stages);
  await db.caseType.update({ where: { id: type.id }, data: { defaultTemplateId: template.id } });
  return { type: { ...type, defaultTemplateId: template.id }, template };
}

export async function makeTemplate(db: Db, caseTypeId: string, stages: StageSpec[], options: { name?: string; active?: boolean } = {}) {
  fixtureNumber += 1;
  return db.caseTemplate.create({
    data: {
      name: options.name ?? `Fixture Template ${fixtureNumber}`,
      code: `TPL${fixtureNumber}-${Math.random().toString(36).slice(2, 6)}`,
      caseTypeId,
      active: options.active ?? true,
      stages: {
        create: stages.map((s, i) => ({
          position: i + 1,
          name: s.name,
          stageType: s.stageType ?? "work",
          required: s.required ?? true,
          parallel: s.parallel ?? false,
          approvalRequired: s.approvalRequired ?? false,
          minApprovers: s.minApprovers ?? 1,
          defaultDurationDays: s.defaultDurationDays ?? null,
        })),
      },
    },
    include: { stages: { orderBy: { position: "asc" } } },
  });
}

/** Form fields for a new case, as strings the way a browser posts them. */
export function caseFormFields(fields: { clientId: string; typeId: string; managerId: string } & Record<string, string>): Record<string, string> {
  fixtureNumber += 1;
  return { title: `Fixture Case ${fixtureNumber}`, description: "What the client asked us to do.", category: "advisory", priority: "medium", complexity: "moderate", riskLevel: "low", ...fields };
}

/** A case opened through the service (numbering, stages from the template, audit), as `by` would open it. */
export async function openCase(db: Db, by: CurrentUser, fields: { clientId: string; typeId: string; managerId?: string } & Record<string, string>, settings = SETTINGS) {
  const input = newCaseForm.parse(caseFormFields({ managerId: by.id, ...fields }));
  const { id } = await createCase(db, actor(by), input, settings);
  return db.case.findUniqueOrThrow({ where: { id }, include: { stages: { orderBy: { position: "asc" } }, team: true } });
}
