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

/**
 * Offers pending messages to the page being rendered. They leave the session only when a view reads them,
 * so an image, a download or a JSON answer in between does not swallow a message meant for the next page.
 */
export const takeFlash: RequestHandler = (req, res, next) => {
  let taken: FlashMessage[] | undefined;
  Object.defineProperty(res.locals, "flash", {
    enumerable: true, // res.render copies enumerable locals, which reads (and takes) them
    configurable: true,
    get() {
      if (!taken) {
        taken = req.session?.flash ?? [];
        if (req.session?.flash) delete req.session.flash;
      }
      return taken;
    },
  });
  // express-session stores the session while the response ends, after the headers went out, and browsers follow a
  // redirect on its headers: the next page could load the session without the message. Store it before redirecting.
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
  res.redirect = ((...args: unknown[]) => {
    if (!req.session?.flash?.length) return redirect(...args);
    req.session.save(() => redirect(...args)); // on a failed save, express-session tries again as the response ends
  }) as typeof res.redirect;
  next();
};
