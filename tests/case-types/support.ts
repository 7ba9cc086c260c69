// Shared by the case type and template admin tests: reading field messages, the stage editor rows, form fields.
import { decodeHtml } from "../clients/support.ts";

/** The message shown next to a field (the <p class="field-error"> tied to it), if any. */
export function fieldError(html: string, field: string): string | undefined {
  const m = new RegExp(`<p class="field-error" id="f-${field}-error">([^<]*)</p>`).exec(html);
  return m ? decodeHtml(m[1]!) : undefined;
}

/** The value of the text input named `name` on the page. */
export function inputValue(html: string, name: string): string | undefined {
  const tag = new RegExp(`<input\\b[^>]*\\sname="${name}"[^>]*>`).exec(html)?.[0];
  if (!tag) return undefined;
  return decodeHtml(/\svalue="([^"]*)"/.exec(tag)?.[1] ?? "");
}

export function isChecked(html: string, name: string): boolean {
  const tag = new RegExp(`<input\\b[^>]*\\sname="${name}"[^>]*>`).exec(html)?.[0] ?? "";
  return /\schecked(\s|>|$)/.test(tag);
}

/** The option selected in the select named `name`. */
export function selectedOption(html: string, name: string): string | undefined {
  const select = new RegExp(`<select\\b[^>]*\\sname="${name}"[^>]*>([\\s\\S]*?)</select>`).exec(html)?.[1] ?? "";
  return /<option value="([^"]*)" selected/.exec(select)?.[1];
}

export interface StageRow {
  name: string;
  type?: string;
  required?: boolean;
  parallel?: boolean;
  approval?: boolean;
  minApprovers?: string;
  duration?: string;
  position?: string;
  remove?: boolean;
}

/** Flat form fields for stage rows, numbered from 0 the way the editor names them. */
export function stageFields(rows: StageRow[]): Record<string, string> {
  const fields: Record<string, string> = {};
  rows.forEach((r, i) => {
    fields[`stage_name_${i}`] = r.name;
    fields[`stage_type_${i}`] = r.type ?? "work";
    if (r.required ?? true) fields[`stage_required_${i}`] = "on";
    if (r.parallel) fields[`stage_parallel_${i}`] = "on";
    if (r.approval) fields[`stage_approval_${i}`] = "on";
    fields[`stage_min_approvers_${i}`] = r.minApprovers ?? "1";
    fields[`stage_duration_${i}`] = r.duration ?? "";
    fields[`stage_position_${i}`] = r.position ?? String(i + 1);
    if (r.remove) fields[`stage_remove_${i}`] = "on";
  });
  return fields;
}

/** The rows of the stage editor as shown: row number, name, position, in page order. */
export function editorRows(html: string): { row: number; name: string; position: string }[] {
  return [...html.matchAll(/<li class="ct-stage[^"]*" data-stage-row="(\d+)"/g)].map((m) => {
    const row = Number(m[1]);
    return { row, name: inputValue(html, `stage_name_${row}`) ?? "", position: inputValue(html, `stage_position_${row}`) ?? "" };
  });
}
