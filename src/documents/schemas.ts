// Inputs of the documents pages, parsed with zod: the upload and edit forms, the list's filters, the type admin.
import { z } from "zod";
import { checkbox, optionalUuid } from "../web/fields.ts";

const optionalText = (label: string, max: number) =>
  z
    .string()
    .trim()
    .max(max, `${label} must be at most ${max} characters.`)
    .optional()
    .transform((v) => (v ? v : null));

/** The fields sent with the files of an upload (the files themselves come from multer). */
export const uploadForm = z
  .object({
    title: optionalText("The title", 200),
    typeId: z.uuid({ error: "Choose a document type." }),
    description: optionalText("The description", 2000),
    privileged: checkbox,
    clientId: optionalUuid("client"),
    caseId: optionalUuid("case"),
    /** On a case's upload form: link the document to the case's client too. */
    linkClient: checkbox,
    returnTo: z.string().optional(),
  })
  .refine((v) => v.clientId || v.caseId, { message: "Choose the client or the case the document belongs to.", path: ["clientId"] });
export type UploadInput = z.infer<typeof uploadForm>;

export const editForm = z.object({
  title: z.string().trim().min(1, "Give the document a title.").max(200, "The title must be at most 200 characters."),
  typeId: z.uuid({ error: "Choose a document type." }),
  description: optionalText("The description", 2000),
  privileged: checkbox,
});
export type EditInput = z.infer<typeof editForm>;

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
  })
  .optional()
  .catch(undefined);
const uuidOrNone = z.uuid().optional().catch(undefined);

export const documentFilters = z.object({
  q: z.string().trim().max(200).optional().catch(undefined).transform((v) => v || undefined),
  type: uuidOrNone,
  client: uuidOrNone,
  case: uuidOrNone,
  uploader: uuidOrNone,
  from: day,
  to: day,
  privileged: z.enum(["yes", "no"]).optional().catch(undefined),
  sort: z.enum(["uploaded", "updated", "title", "size"]).default("uploaded").catch("uploaded"),
  dir: z.enum(["asc", "desc"]).optional().catch(undefined),
  after: z.string().max(300).optional().catch(undefined),
  before: z.string().max(300).optional().catch(undefined),
  perPage: z.coerce.number().int().min(5).max(100).default(25).catch(25),
}).transform((f) => ({ ...f, dir: f.dir ?? (f.sort === "title" ? "asc" : "desc") }));
export type DocumentFilters = z.infer<typeof documentFilters>;

export const documentTypeForm = z.object({
  name: z.string().trim().min(1, "Give the type a name.").max(100, "The name must be at most 100 characters."),
  description: optionalText("The description", 500),
  position: z.coerce.number({ error: "The position must be a whole number." }).int("The position must be a whole number.").min(0, "The position must be 0 or more.").max(10000, "The position must be at most 10000."),
  active: checkbox,
});
export type DocumentTypeInput = z.infer<typeof documentTypeForm>;
