// Parsing form posts with zod into values + per-field messages, for re-rendering a form with what was typed.
import type { z } from "zod";
import { ValidationError } from "../errors.ts";

export type FieldErrors = Record<string, string>;

export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

export function parseForm<S extends z.ZodType>(schema: S, body: unknown): FormResult<z.infer<S>> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return { ok: true, data: result.data };
  return { ok: false, errors: fieldErrors(result.error) };
}

export function fieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.map(String).join(".") : "_form";
    errors[key] ??= issue.message;
  }
  return errors;
}

/** The typed values to show again in a form: strings only, never a password. */
export function formValues(body: unknown, omit: readonly string[] = []): Record<string, string | string[]> {
  const values: Record<string, string | string[]> = {};
  if (!body || typeof body !== "object") return values;
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (key === "_csrf" || omit.includes(key) || /password/i.test(key)) continue;
    if (typeof value === "string") values[key] = value;
    else if (Array.isArray(value)) values[key] = value.filter((v): v is string => typeof v === "string");
  }
  return values;
}

export function errorsOf(error: unknown): FieldErrors | undefined {
  return error instanceof ValidationError ? error.fields : undefined;
}
