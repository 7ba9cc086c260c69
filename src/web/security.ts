// HTTP security headers and no caching of signed-in pages.
import helmet from "helmet";
import type { RequestHandler } from "express";

const helmetHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: true,
    directives: {
      "default-src": ["'self'"],
      "script-src": ["'self'"],
      "style-src": ["'self'"],
      "img-src": ["'self'", "data:"],
      "base-uri": ["'none'"],
      "object-src": ["'none'"],
      "form-action": ["'self'"],
      "frame-ancestors": ["'none'"],
      "upgrade-insecure-requests": null, // would break plain-HTTP use on a LAN; HTTPS is the proxy's job
    },
  },
  referrerPolicy: { policy: "same-origin" },
  // Strict-Transport-Security means something only over HTTPS, and over plain HTTP (a LAN install) it must not be
  // sent at all: it is set below for secure requests only.
  strictTransportSecurity: false,
});

export const HSTS = "max-age=31536000; includeSubDomains";

export const securityHeaders: RequestHandler = (req, res, next) => {
  helmetHeaders(req, res, (error?: unknown) => {
    if (error) return next(error);
    if (req.secure) res.setHeader("Strict-Transport-Security", HSTS);
    next();
  });
};

/** Every dynamic page (mounted after the static files) may hold a user's data: never store it. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set("Cache-Control", "no-store");
  next();
};
