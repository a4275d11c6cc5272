/**
 * An error that carries a stable machine-readable `code` beside its message:
 * callers branch on the code, never on the wording. Subclasses name
 * themselves (`override name = "DbError"`) and narrow the code type.
 */
export class CodedError<C extends string = string> extends Error {
  constructor(
    readonly code: C,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
