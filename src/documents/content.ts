// What a file is, decided by its content (magic bytes, via file-type), never by its name or the browser's word,
// against the allow-list of kinds a firm keeps: PDF, images, Office documents, plain text, CSV and e-mail.
import { open } from "node:fs/promises";
import { fileTypeFromFile } from "file-type";
import { ValidationError } from "../errors.ts";

/** Detected type → how it is served and named. `preview`: shown inline (PDF and raster images only). */
export const ALLOWED_TYPES: Readonly<Record<string, { label: string; ext: string; preview: boolean }>> = {
  "application/pdf": { label: "PDF", ext: "pdf", preview: true },
  "image/png": { label: "PNG image", ext: "png", preview: true },
  "image/jpeg": { label: "JPEG image", ext: "jpg", preview: true },
  "image/gif": { label: "GIF image", ext: "gif", preview: true },
  "image/webp": { label: "WebP image", ext: "webp", preview: true },
  "image/tiff": { label: "TIFF image", ext: "tif", preview: false },
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": { label: "Word document", ext: "docx", preview: false },
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { label: "Excel workbook", ext: "xlsx", preview: false },
  "application/vnd.openxmlformats-officedocument.presentationml.presentation": { label: "PowerPoint presentation", ext: "pptx", preview: false },
  "application/vnd.oasis.opendocument.text": { label: "OpenDocument text", ext: "odt", preview: false },
  "application/vnd.oasis.opendocument.spreadsheet": { label: "OpenDocument spreadsheet", ext: "ods", preview: false },
  // Legacy .doc, .xls, .ppt and Outlook .msg share one container format (Compound File Binary).
  "application/x-cfb": { label: "Office or Outlook file", ext: "bin", preview: false },
  "text/plain": { label: "Text", ext: "txt", preview: false },
  "text/csv": { label: "CSV", ext: "csv", preview: false },
  "message/rfc822": { label: "E-mail", ext: "eml", preview: false },
};

export const REFUSED_TYPE =
  "This file's content is not a kind of document we keep (PDF, image, Word, Excel, PowerPoint, text, CSV or e-mail), whatever its name says. Nothing was stored.";

const TEXT_SAMPLE = 64 * 1024;
// An e-mail starts with header lines; these are the ones a message file almost always opens with.
const EMAIL_HEADER = /^(return-path|received|from|to|subject|date|message-id|mime-version|delivered-to|x-[\w-]+):[ \t]/i;

/**
 * The content type of the file at `file` (a temporary upload), or a ValidationError naming what is accepted. Text has
 * no magic bytes: a file is text when its first 64 KB are valid UTF-8 without control characters; it is an e-mail
 * when it opens with header lines, CSV when the name says so and the content is text, plain text otherwise.
 */
export async function detectContentType(file: string, originalName: string): Promise<string> {
  const detected = await fileTypeFromFile(file).catch(() => undefined);
  if (detected) {
    if (ALLOWED_TYPES[detected.mime]) return detected.mime;
    throw new ValidationError({ file: REFUSED_TYPE });
  }
  const sample = await head(file, TEXT_SAMPLE);
  if (sample.length === 0) throw new ValidationError({ file: "The file is empty. Nothing was stored." });
  if (!isText(sample)) throw new ValidationError({ file: REFUSED_TYPE });
  const text = sample.toString("utf8");
  if (EMAIL_HEADER.test(text) && /\r?\n\r?\n/.test(text)) return "message/rfc822";
  return /\.csv$/i.test(originalName) ? "text/csv" : "text/plain";
}

async function head(file: string, bytes: number): Promise<Buffer> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function isText(sample: Buffer): boolean {
  // A multi-byte character cut at the sample's end is not a reason to refuse: drop up to three trailing bytes.
  let text: string | undefined;
  for (let cut = 0; cut <= 3 && text === undefined; cut++) {
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(sample.subarray(0, sample.length - cut));
    } catch {
      text = undefined;
    }
  }
  if (text === undefined) return false;
  // Tabs, line breaks and form feeds are text; other control characters mean binary.
  return !/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text);
}

/** A file name safe to send in Content-Disposition and to show: no path, no control characters, bounded length. */
export function safeFileName(name: string, contentType: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  let clean = base.replace(/[\u0000-\u001f\u007f"<>:|?*]+/g, "_").replace(/^[.\s]+/, "").trim().slice(0, 180);
  if (!clean) clean = `document.${ALLOWED_TYPES[contentType]?.ext ?? "bin"}`;
  return clean;
}

/** Content-Disposition with a plain ASCII fallback and the UTF-8 name (RFC 6266 / 5987). */
export function contentDisposition(kind: "attachment" | "inline", name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, "_").replace(/["\\%]/g, "_");
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
