// Shared by the document tests: real files built in code (a PDF with text, a PNG, a .docx), and upload helpers.
import { crc32, deflateSync } from "node:zlib";
import JSZip from "jszip";
import type { Db } from "../../src/db/client.ts";
import type { Agent } from "../helpers/http.ts";
import { csrfToken } from "../helpers/http.ts";

/** A one-page PDF whose page shows `text` (PDF.js reads it back). */
export function pdfWithText(text: string): Buffer {
  const stream = `BT /F1 12 Tf 72 720 Td (${text.replace(/[()\\]/g, (m) => `\\${m}`)}) Tj ET`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let out = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((n) => `${String(n).padStart(10, "0")} 00000 n \n`).join("")}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}

/** A real 1×1 PNG. */
export function png(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0);
  header.writeUInt32BE(1, 4);
  header[8] = 8;
  header[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", header), chunk("IDAT", deflateSync(Buffer.from([0, 1, 2, 3]))), chunk("IEND", Buffer.alloc(0))]);
}

/** A minimal Word document (.docx) whose body is `text`. */
export async function docxWithText(text: string): Promise<Buffer> {
  const zip = new JSZip();
  zip.file("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`);
  zip.file("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`);
  zip.file("word/document.xml", `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>${text}</w:t></w:r></w:p></w:body></w:document>`);
  return zip.generateAsync({ type: "nodebuffer" });
}

export async function typeId(db: Db, code: string): Promise<string> {
  return (await db.documentType.findUniqueOrThrow({ where: { code } })).id;
}

export interface UploadFile {
  bytes: Buffer;
  name: string;
  contentType?: string;
}

/** Posts the upload form as a browser would, the CSRF token read from `page`. */
export async function upload(agent: Agent, page: string, fields: Record<string, string>, files: UploadFile[], headers: Record<string, string> = {}) {
  const token = await csrfToken(agent, page);
  const req = agent.post("/documents");
  for (const [k, v] of Object.entries(headers)) req.set(k, v);
  req.field("_csrf", token);
  for (const [k, v] of Object.entries(fields)) req.field(k, v);
  for (const f of files) req.attach("file", f.bytes, { filename: f.name, contentType: f.contentType ?? "application/octet-stream" });
  return req;
}

export async function uploadVersion(agent: Agent, documentId: string, file: UploadFile) {
  const token = await csrfToken(agent, `/documents/${documentId}`);
  return agent.post(`/documents/${documentId}/versions`).field("_csrf", token).attach("file", file.bytes, { filename: file.name, contentType: file.contentType ?? "application/octet-stream" });
}

/** The body of a binary response as a Buffer. */
export function bytesOf(res: { body: unknown }): Buffer {
  return Buffer.isBuffer(res.body) ? res.body : Buffer.from(res.body as ArrayBuffer);
}

/** GET `url` and collect the body as bytes, whatever its content type (a cut connection gives what arrived). */
export function fetchBytes(agent: Agent, url: string) {
  return agent
    .get(url)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => done(null, Buffer.concat(chunks)));
      res.on("error", () => done(null, Buffer.concat(chunks)));
      res.on("aborted", () => done(null, Buffer.concat(chunks)));
    });
}

/** A compliance document on the case, written straight to the tables (for case-rule tests; tests/documents covers the HTTP path). */
export async function fileComplianceDocument(db: Db, caseId: string, userId: string): Promise<void> {
  const type = await db.documentType.findUniqueOrThrow({ where: { code: "compliance" } });
  const id = crypto.randomUUID();
  await db.document.create({ data: { id, title: "Compliance file", typeId: type.id, caseId, versionCount: 1, fileName: "c.pdf", contentType: "application/pdf", size: 1, createdById: userId } });
  await db.documentVersion.create({ data: { documentId: id, number: 1, storageKey: `documents/${id.slice(0, 2)}/${id}`, fileName: "c.pdf", contentType: "application/pdf", size: 1, sha256: "0".repeat(64), uploadedById: userId } });
}
