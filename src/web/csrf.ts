// CSRF protection (synchroniser token kept in the session) on every state-changing request.
import { csrfSync } from "csrf-sync";
import type { Request } from "express";

export const csrf = csrfSync({
  size: 32,
  // Forms post `_csrf`; scripts send the X-CSRF-Token header.
  getTokenFromRequest: (req: Request) => {
    const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
    return typeof fromBody === "string" ? fromBody : req.get("x-csrf-token");
  },
});

export function isCsrfError(error: unknown): boolean {
  return error === csrf.invalidCsrfTokenError || (error as { code?: string } | null)?.code === "EBADCSRFTOKEN";
}
