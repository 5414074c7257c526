/**
 * Capturing the refusal a call must end with, so that tests assert its code, file, field and fix.
 * A call that succeeds, or fails with something other than a ReleaseError (an internal error),
 * fails the test here.
 */
import { type ErrorCode, isReleaseError, type ReleaseError } from "../../src/errors.js";

function checked(error: unknown, code: ErrorCode | undefined): ReleaseError {
  if (!isReleaseError(error)) throw error;
  if (code !== undefined && error.code !== code) {
    throw new Error(`expected a ${code} refusal, got ${error.code}: ${error.message}`, { cause: error });
  }
  return error;
}

/** The ReleaseError a synchronous `run` throws (with `code` when given). */
export function refusalOf(run: () => unknown, code?: ErrorCode): ReleaseError {
  try {
    run();
  } catch (error) {
    return checked(error, code);
  }
  throw new Error(`expected a ${code ?? "ReleaseError"} refusal, but the call succeeded`);
}

/** The ReleaseError a promise (or an async `run`) rejects with (with `code` when given). */
export async function rejectionOf(
  run: Promise<unknown> | (() => unknown),
  code?: ErrorCode,
): Promise<ReleaseError> {
  try {
    await (typeof run === "function" ? run() : run);
  } catch (error) {
    return checked(error, code);
  }
  throw new Error(`expected a ${code ?? "ReleaseError"} refusal, but the call succeeded`);
}

/** Whatever a promise rejects with: for contracts that also accept an adapter's own errors. */
export async function anyRejectionOf(run: Promise<unknown>): Promise<unknown> {
  try {
    await run;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection, but the call succeeded");
}
