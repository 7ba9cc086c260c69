// The feedback form and the date-range filter (one zod schema each, shared by any JSON endpoint for the same action).
import { z } from "zod";
import { optionalDate, optionalText } from "../web/fields.ts";
import { parsePeriodCode, type Period } from "./periods.ts";

/** The five ratings, in the order forms, tables and charts show them. */
export const RATINGS = ["responsiveness", "communication", "requirementsClarity", "decisionSpeed", "overallSatisfaction"] as const;
export type Rating = (typeof RATINGS)[number];

export const RATING_LABELS: Record<Rating, string> = {
  responsiveness: "Responsiveness",
  communication: "Communication",
  requirementsClarity: "Requirements clarity",
  decisionSpeed: "Decision speed",
  overallSatisfaction: "Overall satisfaction",
};

/** What each score means, shown beside the choices. */
export const SCORE_LABELS = ["", "Poor", "Fair", "Good", "Very good", "Excellent"] as const;

const rating = (label: string) =>
  z
    .string({ error: `Choose a ${label.toLowerCase()} rating from 1 to 5.` })
    .regex(/^[1-5]$/, `Choose a ${label.toLowerCase()} rating from 1 to 5.`)
    .transform(Number);

const period = z
  .string({ error: "Choose the period this feedback is for." })
  .trim()
  .transform((v, ctx): Period => {
    const parsed = parsePeriodCode(v);
    if (!parsed) {
      ctx.addIssue({ code: "custom", message: v ? "Choose a month (like 2026-03) or a quarter (like 2026-Q1)." : "Choose the period this feedback is for." });
      return z.NEVER;
    }
    if (parsed.start.getUTCFullYear() < 2000) {
      ctx.addIssue({ code: "custom", message: "Choose a period from 2000 on." });
      return z.NEVER;
    }
    if (parsed.start.getTime() > Date.now()) {
      ctx.addIssue({ code: "custom", message: "Feedback cannot be recorded for a period that has not started yet." });
      return z.NEVER;
    }
    return parsed;
  });

export const feedbackForm = z.object({
  period,
  responsiveness: rating(RATING_LABELS.responsiveness),
  communication: rating(RATING_LABELS.communication),
  requirementsClarity: rating(RATING_LABELS.requirementsClarity),
  decisionSpeed: rating(RATING_LABELS.decisionSpeed),
  overallSatisfaction: rating(RATING_LABELS.overallSatisfaction),
  writtenFeedback: optionalText("Written feedback", 10_000),
  /** The version the form was opened on, to refuse overwriting someone else's later save. */
  updatedAt: z.string().max(40).optional(),
});
export type FeedbackInput = z.infer<typeof feedbackForm>;

/** A date range on the periods' first days; either end may be open. Bad dates are ignored (a filter never fails). */
export const rangeFilter = z
  .object({
    from: optionalDate("From").catch(null),
    to: optionalDate("To").catch(null),
  })
  .transform((v) => (v.from && v.to && v.from > v.to ? { from: v.to, to: v.from } : v));
export type DateRange = z.infer<typeof rangeFilter>;

