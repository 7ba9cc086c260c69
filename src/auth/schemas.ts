// Forms of the auth area (one zod schema per form).
import { z } from "zod";
import { ROLES } from "../access/roles.ts";

const text = (label: string, max = 200) =>
  z
    .string({ error: `${label} is required.` })
    .trim()
    .min(1, `${label} is required.`)
    .max(max, `${label} must be at most ${max} characters.`);

export const loginForm = z.object({
  email: text("Email", 320),
  password: z.string({ error: "Password is required." }).min(1, "Password is required.").max(1024, "Password is too long."),
  returnTo: z.string().optional(),
});

export const changePasswordForm = z.object({
  currentPassword: z.string({ error: "Enter your current password." }).min(1, "Enter your current password.").max(1024),
  newPassword: z.string({ error: "Choose a new password." }).min(1, "Choose a new password.").max(1024),
  confirmPassword: z.string({ error: "Repeat the new password." }).max(1024),
});

// An unticked box is absent from the post: the key must be optional (zod 4 rejects a missing key for a union with undefined).
const checkbox = z
  .enum(["on", "true", "1"])
  .optional()
  .transform((v) => v !== undefined);

export const userForm = z.object({
  name: text("Name"),
  email: text("Email", 320).pipe(z.email("Enter a valid email address.")).transform((e) => e.toLowerCase()),
  role: z.enum(ROLES, { error: "Choose a role." }),
  department: z
    .string()
    .trim()
    .max(100, "Department must be at most 100 characters.")
    .optional()
    .transform((v) => (v ? v : null)),
  relationshipTeam: checkbox,
  legalTeam: checkbox,
  viewConfidential: checkbox,
  updatedAt: z.string().optional(),
});
export type UserInput = z.infer<typeof userForm>;

export const newUserForm = userForm.extend({
  password: z.string().max(1024).optional(),
});
export type NewUserInput = z.infer<typeof newUserForm>;

export const reasonForm = z.object({
  reason: z.string().trim().max(500, "Reason must be at most 500 characters.").optional(),
});

export const userFilters = z.object({
  q: z.string().trim().max(200).optional().catch(undefined),
  role: z.enum(ROLES).optional().catch(undefined),
  status: z.enum(["active", "inactive", "all"]).optional().catch(undefined),
  sort: z.enum(["name", "email", "role", "lastLogin", "created"]).optional().catch(undefined),
  dir: z.enum(["asc", "desc"]).optional().catch(undefined),
});
export type UserFilters = z.infer<typeof userFilters>;
