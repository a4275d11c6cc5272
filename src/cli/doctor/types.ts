/**
 * One line of `npm run cli -- doctor`. `finding` is one sentence about what
 * was seen; `fix` says what to do, present whenever the status is not pass.
 * Neither ever holds a secret: they name variables, never their values.
 */
export type CheckStatus = "pass" | "warn" | "fail";

export interface CheckResult {
  name: string;
  status: CheckStatus;
  finding: string;
  fix?: string;
}

export const pass = (name: string, finding: string): CheckResult => ({
  name,
  status: "pass",
  finding,
});

export const warn = (name: string, finding: string, fix: string): CheckResult => ({
  name,
  status: "warn",
  finding,
  fix,
});

export const fail = (name: string, finding: string, fix: string): CheckResult => ({
  name,
  status: "fail",
  finding,
  fix,
});

/**
 * A production requirement that development is allowed to miss: fail in
 * production, warn elsewhere (the line still says what production needs).
 */
export const failInProduction = (
  isProduction: boolean,
  name: string,
  finding: string,
  fix: string,
): CheckResult => (isProduction ? fail : warn)(name, finding, fix);
