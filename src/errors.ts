// Typed errors thrown by services; one error middleware (src/web/errors.ts) maps them to responses.

export class NotFoundError extends Error {
  constructor(message = "Not found") {
    super(message);
    this.name = "NotFoundError";
  }
}

export class ForbiddenError extends Error {
  constructor(message = "You are not allowed to do that") {
    super(message);
    this.name = "ForbiddenError";
  }
}

/** Bad input: `fields` maps a form field name to the message shown next to it. */
export class ValidationError extends Error {
  constructor(
    public readonly fields: Record<string, string>,
    message = "Please correct the highlighted fields",
  ) {
    super(message);
    this.name = "ValidationError";
  }
}

export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConflictError";
  }
}
