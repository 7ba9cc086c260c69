// Text inside documents, for search: PDF through unpdf (PDF.js), .docx through mammoth, text and e-mail as they are.
import type { Readable } from "node:stream";
// unpdf and mammoth are loaded on the first extraction, not at start-up: together they take seconds to load.

/** Extracted text is cut here: enough to find a document by its words, bounded for the index. */
export const MAX_TEXT_CHARS = 1_000_000;

/** The readable text of a file's bytes, by its detected type; undefined for kinds that hold no text we read. */
export async function extractDocumentText(bytes: Buffer, contentType: string): Promise<string | undefined> {
  let text: string | undefined;
  if (contentType === "application/pdf") {
    const { extractText, getDocumentProxy } = await import("unpdf");
    const pdf = await getDocumentProxy(new Uint8Array(bytes));
    try {
      text = (await extractText(pdf, { mergePages: true })).text;
    } finally {
      await pdf.destroy();
    }
  } else if (contentType === "application/vnd.openxmlformats-officedocument.wordprocessingml.document") {
    const { default: mammoth } = await import("mammoth");
    text = (await mammoth.extractRawText({ buffer: bytes })).value;
  } else if (contentType === "text/plain" || contentType === "text/csv" || contentType === "message/rfc822") {
    text = bytes.toString("utf8");
  }
  // PostgreSQL text cannot hold NUL characters.
  return text?.replace(/\u0000/g, " ").slice(0, MAX_TEXT_CHARS);
}

/** Reads a stream whole (extraction needs the whole file; uploads are bounded by the size limit). */
export async function readAll(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += (chunk as Buffer).length;
    if (total > limit) throw new Error("file larger than the extraction limit");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
