// Shared by the feedback tests: feedback written straight to the database, and reading feedback pages.
import type { Db } from "../../src/db/client.ts";
import type { Prisma } from "../../src/generated/prisma/client.ts";
import { parsePeriodCode } from "../../src/feedback/periods.ts";

/** A feedback row written straight to the database; `period` like "2026-Q1" or "2026-03", ratings default to 3. */
export async function makeFeedback(db: Db, clientId: string, recordedById: string, period: string, data: Partial<Prisma.ClientFeedbackUncheckedCreateInput> = {}) {
  const p = parsePeriodCode(period);
  if (!p) throw new Error(`bad period ${period}`);
  return db.clientFeedback.create({
    data: {
      clientId,
      recordedById,
      periodKind: p.kind,
      periodStart: p.start,
      responsiveness: 3,
      communication: 3,
      requirementsClarity: 3,
      decisionSpeed: 3,
      overallSatisfaction: 3,
      ...data,
    },
  });
}

/** The form fields of a feedback with every rating `n` (or as given). */
export function feedbackFields(period: string, ratings: Partial<Record<string, string>> = {}, n = "4"): Record<string, string> {
  return {
    period,
    responsiveness: n,
    communication: n,
    requirementsClarity: n,
    decisionSpeed: n,
    overallSatisfaction: n,
    writtenFeedback: "",
    ...ratings,
  } as Record<string, string>;
}

/** The error message shown for a field (`f-<name>-error`), or undefined. */
export function fieldError(html: string, name: string): string | undefined {
  const m = new RegExp(`id="f-${name}-error">([\\s\\S]*?)</p>`).exec(html);
  return m ? m[1]!.replace(/<[^>]+>/g, "").trim() : undefined;
}

/** The number of plotted points in the trend chart of one rating. */
export function chartPoints(html: string, rating: string): number {
  const start = html.indexOf(`data-chart="${rating}"`);
  if (start < 0) return 0;
  const figure = html.slice(start, html.indexOf("</figure>", start));
  return (figure.match(/<circle [^>]*data-point/g) ?? []).length;
}
