// HTTP security headers and no caching of signed-in pages.
import helmet from "helmet";
import type { RequestHandler } from "express";

export const securityHeaders = helmet({
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
});

/** Every dynamic page (mounted after the static files) may hold a user's data: never store it. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set("Cache-Control", "no-store");
  next();
};
