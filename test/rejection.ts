import { expect } from "vitest";

/**
 * The error `promise` rejects with, asserted to be a `kind`. A promise that
 * resolves fails the assertion, so a refusal that never comes cannot pass.
 */
export async function rejectionOf<E extends Error>(
  promise: Promise<unknown>,
  kind: abstract new (...args: never[]) => E,
): Promise<E> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(kind);
  return error as E;
}
