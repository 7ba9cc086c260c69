// Client logo: upload (multipart, CSRF checked after parsing), serve through the visibility check, remove.
import { Router, type ErrorRequestHandler, type Request, type Response } from "express";
import multer from "multer";
import type { Db } from "../db/client.ts";
import { actorOf } from "../web/context.ts";
import { flash } from "../web/flash.ts";
import { multipartWithCsrf } from "../web/csrf.ts";
import { ValidationError } from "../errors.ts";
import { clientLogo, LOGO_MAX_BYTES, LOGO_TYPES, LogoStore, removeClientLogo, setClientLogo } from "./logo.ts";

const TOO_LARGE = "The logo is larger than 2 MB. Choose a smaller image (PNG, JPEG, WebP or GIF).";

/** Mounted at /clients/:clientId/logo. */
export function logoRoutes(db: Db, config: { DATA_DIR: string }) {
  const router = Router({ mergeParams: true });
  const store = new LogoStore(config.DATA_DIR);
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: LOGO_MAX_BYTES, files: 1, fields: 5, parts: 6, fieldSize: 1024, fieldNameSize: 100 },
  }).single("logo");
  const clientIdOf = (req: Request) => String(req.params.clientId);

  router.get("/", async (req, res) => {
    const { bytes, contentType } = await clientLogo(db, store, actorOf(req), clientIdOf(req));
    res.set({
      "Content-Type": contentType,
      "Content-Length": String(bytes.length),
      "Content-Disposition": `inline; filename="logo.${LOGO_TYPES[contentType]}"`,
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "private, no-store",
    });
    res.end(bytes);
  });

  router.post("/", multipartWithCsrf(upload), async (req, res) => {
    const clientId = clientIdOf(req);
    if (!req.file) return refuse(req, res, 422, "Choose an image file to upload as the logo.");
    try {
      await setClientLogo(db, store, actorOf(req), clientId, req.file.buffer);
    } catch (error) {
      if (error instanceof ValidationError) return refuse(req, res, 422, error.fields.logo ?? error.message);
      throw error;
    }
    if (!wantsHtml(req)) return res.status(204).end();
    flash(req, "success", "Logo saved.");
    res.redirect(303, `/clients/${clientId}#logo`);
  });

  // Upload problems multer reports (too large, unexpected field, too many parts): a message, never a 500.
  const uploadErrors: ErrorRequestHandler = (error, req, res, next) => {
    if (!(error instanceof multer.MulterError)) return next(error);
    if (error.code === "LIMIT_FILE_SIZE") return refuse(req, res, 413, TOO_LARGE);
    refuse(req, res, 400, "The upload was not understood: send one image in the “logo” field.");
  };
  router.use(uploadErrors);

  router.post("/delete", async (req, res) => {
    const clientId = clientIdOf(req);
    const removed = await removeClientLogo(db, store, actorOf(req), clientId);
    flash(req, removed ? "success" : "info", removed ? "Logo removed." : "This client has no logo.");
    res.redirect(303, `/clients/${clientId}#logo`);
  });

  return router;
}

function wantsHtml(req: Request): boolean {
  return Boolean(req.accepts("html")) && !req.xhr;
}

/** Browsers get the message on the client page; scripts get the status and the message as JSON. */
async function refuse(req: Request, res: Response, status: number, message: string) {
  if (!wantsHtml(req)) return res.status(status).json({ error: message });
  flash(req, "error", message);
  res.redirect(303, `/clients/${String(req.params.clientId)}#logo`);
}
