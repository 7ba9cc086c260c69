// One-time messages shown on the next page, kept in the session.
import type { Request, RequestHandler } from "express";

export type FlashKind = "success" | "error" | "info";
export interface FlashMessage {
  kind: FlashKind;
  text: string;
  /** A secret shown once (a generated password); rendered in a copyable code block. */
  secret?: string;
}

declare module "express-session" {
  interface SessionData {
    flash?: FlashMessage[];
    csrfToken?: string;
  }
}

export function flash(req: Request, kind: FlashKind, text: string, secret?: string) {
  if (!req.session) return;
  req.session.flash = [...(req.session.flash ?? []), secret ? { kind, text, secret } : { kind, text }];
}

/** Moves pending messages into the page being rendered. */
export const takeFlash: RequestHandler = (req, res, next) => {
  const messages = req.session?.flash;
  if (messages?.length) {
    res.locals.flash = messages;
    delete req.session.flash;
  } else {
    res.locals.flash = [];
  }
  next();
};
