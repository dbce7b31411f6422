/** The vocabulary of `doctor`'s checks. */
export type CheckStatus = 'PASS' | 'WARN' | 'FAIL' | 'SKIP';

/** One line of `doctor`: what was checked, the outcome, and the fix when it is not a PASS. */
export interface CheckResult {
  readonly check: string;
  readonly status: CheckStatus;
  readonly detail: string;
  readonly fix?: string | undefined;
  /** The tenant it is about, when doctor checks every registered tenant. */
  readonly tenant?: string | undefined;
}

export const pass = (check: string, detail: string): CheckResult => ({
  check,
  status: 'PASS',
  detail,
});
export const fail = (check: string, detail: string, fix: string): CheckResult => ({
  check,
  status: 'FAIL',
  detail,
  fix,
});
export const warn = (check: string, detail: string, fix?: string): CheckResult => ({
  check,
  status: 'WARN',
  detail,
  fix,
});
export const skip = (check: string, detail: string): CheckResult => ({
  check,
  status: 'SKIP',
  detail,
});
