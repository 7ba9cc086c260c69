// THE access policy for documents, stated once and composed only from the parent rules: a document linked to a
// client is visible to whoever may see that client; one linked only to a case, to whoever may see that case or any
// further case of the client it is linked to (document_cases, "add an existing document"). A
// privileged document, or any document of a privileged client, is for the client's team only. Every read of
// documents (lists, search, counts, the detail page, preview, download, each version, the audit page) filters by
// visibleDocumentsSql; nothing else states who may see a document.
import { Prisma } from "../generated/prisma/client.ts";
import type { CurrentUser } from "./roles.ts";
import { clientRuleSql, privilegedVisibleSql } from "./clients.ts";
import { visibleCasesSql } from "./cases.ts";
import { can } from "./permissions.ts";

export type DocumentState = "live" | "deleted";

/**
 * SQL true for the documents `user` may see, `alias` being the documents table. `state: "deleted"` gives the deleted
 * documents the same user would see if restored (the administrators' restore page); live is the default.
 */
export function visibleDocumentsSql(user: CurrentUser, alias = "d", state: DocumentState = "live"): Prisma.Sql {
  const d = Prisma.raw(`"${alias}"`);
  // The privileged-material rule: a privileged document, or one of a privileged client, only for the client's team.
  const privilegedOk = (clientId: Prisma.Sql, clientPrivileged: Prisma.Sql) =>
    Prisma.sql`(NOT (${d}.privileged OR ${clientPrivileged}) OR ${privilegedVisibleSql(user, clientId)})`;
  const ofCaseClient = privilegedOk(Prisma.sql`dkc.id`, Prisma.sql`dkc.data_classification = 'privileged'`);
  // A client's document: the client rule and the privileged-material rule on the row's copies of its client's
  // restriction and classification (client_confidential, client_privileged, kept by triggers as cases' copy is; for a
  // document filed on a case only they copy the case's client), so a list walking the latest documents looks a client
  // up only for restricted or privileged ones.
  const clientId = Prisma.sql`${d}.client_id`;
  const byClient = Prisma.sql`(${clientRuleSql(user, { id: clientId, restricted: Prisma.sql`${d}.client_confidential` })}
      AND ${privilegedOk(clientId, Prisma.sql`${d}.client_privileged`)})`;
  // A case-only document: through the case it was filed on, or any case it is linked to (all of the same client).
  const byCase = Prisma.sql`(EXISTS (SELECT 1 FROM cases dk JOIN clients dkc ON dkc.id = dk.client_id WHERE dk.id = ${d}.case_id
      AND ${visibleCasesSql(user, "dk")} AND ${ofCaseClient})
    OR EXISTS (SELECT 1 FROM document_cases dl JOIN cases dk ON dk.id = dl.case_id JOIN clients dkc ON dkc.id = dk.client_id
      WHERE dl.document_id = ${d}.id AND ${visibleCasesSql(user, "dk")} AND ${ofCaseClient}))`;
  const deleted = state === "live" ? Prisma.sql`${d}.deleted_at IS NULL` : Prisma.sql`${d}.deleted_at IS NOT NULL`;
  return Prisma.sql`(${deleted} AND CASE WHEN ${d}.client_id IS NOT NULL THEN ${byClient} ELSE ${byCase} END)`;
}

/**
 * Where the privileged material `user` may see lies: documents marked privileged or of a privileged client whose parent
 * client (the document's client, the client of the case it is filed on, or of a case it is linked to) has the reader
 * on its team, read from the reader's kept team (client_team_users) and the live privileged material's index
 * (documents_privileged_material). The privileged-material rule above admits the client's team only, so this holds
 * every such document the reader may see; a narrowing source for the privileged filter, never a reason to see a
 * document: combine it with visibleDocumentsSql. Walking all the firm's privileged material and asking the rule of
 * each, for the few documents of the reader's clients among them, cost more than the rest of the list.
 */
export function privilegedMaterialOfMyClientsSql(user: CurrentUser, alias = "d"): Prisma.Sql {
  const d = Prisma.raw(`"${alias}"`);
  const material = (pm: string) => Prisma.raw(`"${pm}".deleted_at IS NULL AND ("${pm}".privileged OR "${pm}".client_privileged)`);
  return Prisma.sql`${d}.id IN (
      SELECT pm.id FROM documents pm JOIN client_team_users t ON t.client_id = pm.client_id AND t.user_id = ${user.id}::uuid
      WHERE ${material("pm")}
    UNION ALL
      SELECT pm.id FROM documents pm JOIN cases k ON k.id = pm.case_id JOIN client_team_users t ON t.client_id = k.client_id AND t.user_id = ${user.id}::uuid
      WHERE pm.client_id IS NULL AND ${material("pm")}
    UNION ALL
      SELECT pm.id FROM document_cases dl JOIN documents pm ON pm.id = dl.document_id JOIN cases k ON k.id = dl.case_id
        JOIN client_team_users t ON t.client_id = k.client_id AND t.user_id = ${user.id}::uuid
      WHERE pm.client_id IS NULL AND ${material("pm")})`;
}

/** @deprecated ask permissions.ts: can(user, "document.delete", { uploaderId }) or assertCan(...). Kept for branches started before it. */
export const documentActions = {
  upload: (user: CurrentUser) => can(user, "document.upload"),
  addVersion: (user: CurrentUser) => can(user, "document.addVersion"),
  edit: (user: CurrentUser) => can(user, "document.edit"),
  delete: (user: CurrentUser, uploaderId: string) => can(user, "document.delete", { uploaderId }),
  restore: (user: CurrentUser) => can(user, "document.restore"),
  manageTypes: (user: CurrentUser) => can(user, "documentTypes.manage"),
};
