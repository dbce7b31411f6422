/**
 * How a request proves who it is. The refresh-token flow implements it today; the system-user
 * ticket flow (`Authorization: SOTicket …` + `SO-AppToken`, superoffice-api.md 5.5) can be added as
 * another implementation without touching any caller.
 */
export interface AuthProvider {
  /** Headers that authenticate one request; obtains or refreshes the credential when needed. */
  authorize(): Promise<Readonly<Record<string, string>>>;
  /**
   * The server refused the credential in these headers (401): forget it, so the next `authorize()`
   * obtains a new one. A credential that was already replaced is left alone.
   */
  invalidate(used: Readonly<Record<string, string>>): void;
}
