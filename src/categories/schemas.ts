// Forms of the client categories admin (one zod schema per form).
import { z } from "zod";
import { isUuid } from "../web/fields.ts";

export const DEFAULT_COLOR = "#64748b";

/** "#1E40AF", "1e40af" and " #1e40af " all become "#1e40af"; an empty field takes the default grey. */
const color = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v.toLowerCase() : DEFAULT_COLOR))
  .transform((v) => (v.startsWith("#") ? v : `#${v}`))
  .pipe(z.string().regex(/^#[0-9a-f]{6}$/, "Enter the colour as # followed by six hex digits, for example #1e40af."));

export const categoryForm = z.object({
  name: z
    .string({ error: "Name is required." })
    .trim()
    .min(1, "Name is required.")
    .max(100, "Name must be at most 100 characters."),
  description: z
    .string()
    .trim()
    .max(1000, "Description must be at most 1000 characters.")
    .optional()
    .transform((v) => (v ? v : null)),
  color,
  updatedAt: z.string().optional(),
});
export type CategoryInput = z.infer<typeof categoryForm>;

/** Where the clients of a deleted category go: another category, or "none" (no category). Empty means not chosen. */
export const deleteCategoryForm = z.object({
  moveTo: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine((v) => v === undefined || v === "none" || isUuid(v), "Choose a category from the list, or “No category”."),
});
export type DeleteCategoryInput = z.infer<typeof deleteCategoryForm>;
