// Feedback periods: a month or a quarter, named by its first day (UTC). Written as "2026-03" (a month) or "2026-Q1"
// (a quarter) in forms, URLs and CSV files.
import type { FeedbackPeriodKind } from "../generated/prisma/enums.ts";

export interface Period {
  kind: FeedbackPeriodKind;
  start: Date;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export function quarterStart(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), Math.floor(date.getUTCMonth() / 3) * 3, 1));
}

export function monthStart(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1));
}

/** The first day of the quarter `n` quarters after the one starting at `start` (negative: before). */
export function addQuarters(start: Date, n: number): Date {
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 3 * n, 1));
}

/** The first day after the period. */
export function periodEnd(period: Period): Date {
  const s = period.start;
  return new Date(Date.UTC(s.getUTCFullYear(), s.getUTCMonth() + (period.kind === "quarter" ? 3 : 1), 1));
}

/** "2026-03" or "2026-Q1". */
export function periodCode(period: Period): string {
  const y = period.start.getUTCFullYear();
  const m = period.start.getUTCMonth();
  return period.kind === "quarter" ? `${y}-Q${m / 3 + 1}` : `${y}-${String(m + 1).padStart(2, "0")}`;
}

/** "Mar 2026" or "Q1 2026", for people. */
export function periodLabel(period: Period): string {
  const y = period.start.getUTCFullYear();
  const m = period.start.getUTCMonth();
  return period.kind === "quarter" ? `Q${Math.floor(m / 3) + 1} ${y}` : `${MONTHS[m]} ${y}`;
}

/** The period a code names, or undefined for anything else. */
export function parsePeriodCode(code: string): Period | undefined {
  const quarter = /^(\d{4})-Q([1-4])$/i.exec(code);
  if (quarter) return { kind: "quarter", start: new Date(Date.UTC(Number(quarter[1]), (Number(quarter[2]) - 1) * 3, 1)) };
  const month = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(code);
  if (month) return { kind: "month", start: new Date(Date.UTC(Number(month[1]), Number(month[2]) - 1, 1)) };
  return undefined;
}

/** The periods a form offers, newest first: the last `quarters` quarters and the months in them, the current ones included. */
export function recentPeriods(today = new Date(), quarters = 8): { quarters: Period[]; months: Period[] } {
  const q0 = quarterStart(today);
  const qs = Array.from({ length: quarters }, (_, i) => ({ kind: "quarter" as const, start: addQuarters(q0, -i) }));
  const m0 = monthStart(today);
  const monthCount = (today.getUTCMonth() % 3) + 1 + 3 * (quarters - 1);
  const ms = Array.from({ length: monthCount }, (_, i) => ({ kind: "month" as const, start: new Date(Date.UTC(m0.getUTCFullYear(), m0.getUTCMonth() - i, 1)) }));
  return { quarters: qs, months: ms };
}

/** The quarter before the one `today` falls in: the one a reminder at the start of a quarter asks about. */
export function previousQuarter(today = new Date()): Period {
  return { kind: "quarter", start: addQuarters(quarterStart(today), -1) };
}
