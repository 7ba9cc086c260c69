// Field rules shared by the forms: trimmed text where empty means null, email, phone, checkbox.
import { z } from "zod";

/**
 * Text the database can store: PostgreSQL text cannot hold NUL, and a lone UTF-16 surrogate (possible in a JSON body)
 * is not valid Unicode. Refused as input here rather than failing in the database (a 500).
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const storable = (v: string) => !UNSTORABLE.test(v);
/** The same characters removed (for search text, where dropping them is kinder than refusing). */
export const withoutUnstorable = (v: string) => v.replace(new RegExp(UNSTORABLE, "g"), "");
const UNSTORABLE_MESSAGE = "contains characters that cannot be stored (such as NUL).";

export const requiredText = (label: string, max = 200) =>
  z
    .string({ error: `${label} is required.` })
    .trim()
    .min(1, `${label} is required.`)
    .max(max, `${label} must be at most ${max} characters.`)
    .refine(storable, `${label} ${UNSTORABLE_MESSAGE}`);

/** Optional text: trimmed, empty becomes null. */
export const optionalText = (label: string, max = 200) =>
  z
    .string({ error: `${label} must be text.` })
    .trim()
    .max(max, `${label} must be at most ${max} characters.`)
    .refine(storable, `${label} ${UNSTORABLE_MESSAGE}`)
    .optional()
    .transform((v) => (v ? v : null));

export const optionalEmail = z
  .string({ error: "Email must be text." })
  .trim()
  .max(320, "Email must be at most 320 characters.")
  .optional()
  .transform((v, ctx) => {
    if (!v) return null;
    if (!z.email().safeParse(v).success) {
      ctx.addIssue({ code: "custom", message: "Enter a valid email address, like name@example.com." });
      return z.NEVER;
    }
    return v.toLowerCase();
  });

/** 6 to 15 digits, with + ( ) . - / and spaces allowed around them. */
export const optionalPhone = (label = "Phone") =>
  z
    .string({ error: `${label} must be text.` })
    .trim()
    .max(30, `${label} must be at most 30 characters.`)
    .optional()
    .transform((v, ctx) => {
      if (!v) return null;
      const digits = v.replace(/\D/g, "");
      if (!/^\+?[0-9 ().\-/]+$/.test(v) || digits.length < 6 || digits.length > 15) {
        ctx.addIssue({ code: "custom", message: `Enter a ${label.toLowerCase()} number of 6 to 15 digits; spaces, +, (), dots and dashes are fine.` });
        return z.NEVER;
      }
      return v;
    });

/** A checkbox sends "on" when ticked and nothing when not; CSV files may say yes/no, true/false, 1/0. */
export const checkbox = z
  .union([z.literal("on"), z.literal("true"), z.literal("1"), z.literal("yes"), z.literal(""), z.literal("false"), z.literal("0"), z.literal("no")], {
    error: "Tick the box or leave it empty.",
  })
  .optional()
  .transform((v) => v === "on" || v === "true" || v === "1" || v === "yes");

/** A record id as it appears in URLs; anything else is a 404 before any query. */
export const isUuid = (value: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);

/** A select whose empty choice means null. */
export const optionalEnum = <T extends readonly [string, ...string[]]>(values: T, label: string) =>
  z
    .union([z.literal(""), z.enum(values, { error: `Choose a valid ${label}.` })], { error: `Choose a valid ${label}.` })
    .optional()
    .transform((v) => (v ? (v as T[number]) : null));

/** A picker of a record id whose empty choice means null. */
export const optionalUuid = (label: string) =>
  z
    .union([z.literal(""), z.uuid({ error: `Choose a valid ${label}.` })], { error: `Choose a valid ${label}.` })
    .optional()
    .transform((v) => (v ? v : null));

const isoDate = /^\d{4}-\d{2}-\d{2}$/;
/** A date field (YYYY-MM-DD), empty means null; as a UTC midnight Date. */
export const optionalDate = (label: string, options: { notFuture?: boolean } = {}) =>
  z
    .string({ error: `${label} must be a date.` })
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (!v) return null;
      const date = new Date(`${v}T00:00:00Z`);
      if (!isoDate.test(v) || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== v) {
        ctx.addIssue({ code: "custom", message: `${label} must be a date like 2024-03-31.` });
        return z.NEVER;
      }
      if (date.getUTCFullYear() < 1850 || date.getUTCFullYear() > 2200) {
        ctx.addIssue({ code: "custom", message: `${label} is out of range.` });
        return z.NEVER;
      }
      if (options.notFuture && date.getTime() > Date.now()) {
        ctx.addIssue({ code: "custom", message: `${label} cannot be in the future.` });
        return z.NEVER;
      }
      return date;
    });
