// The contact form (one zod schema, shared by any future JSON endpoint for the same action).
import { z } from "zod";
import { checkbox, optionalEmail, optionalPhone, optionalText, requiredText } from "../web/fields.ts";

export const contactForm = z
  .object({
    name: requiredText("Name", 200),
    title: optionalText("Title", 200),
    email: optionalEmail,
    phone: optionalPhone("Phone"),
    mobile: optionalPhone("Mobile"),
    notes: optionalText("Notes", 10_000),
    active: checkbox,
    isPrimary: checkbox,
    /** The version the form was opened on, to refuse overwriting someone else's later save. */
    updatedAt: z.string().max(40).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.isPrimary && !v.active) ctx.addIssue({ code: "custom", path: ["isPrimary"], message: "An inactive contact cannot be the primary contact: tick Active, or untick Primary." });
  });
export type ContactInput = z.infer<typeof contactForm>;

/** The fields a contact form writes, in audit order. */
export const CONTACT_FIELDS = ["name", "title", "email", "phone", "mobile", "notes", "active", "isPrimary"] as const;
