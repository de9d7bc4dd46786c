// Why an object past Personalize's edge could not be scanned or scrubbed: the erasure reports it as
// `unreadable` with this reason, never skips it in silence.
import { DataDeletionError } from "../errors.ts";

/**
 * An input the scan or the scrub cannot read (no `USER_ID` header, a line that is not JSON, a row longer
 * than the limit). The message names the rule and where (line number), never a row's content: a row may
 * hold a user id.
 */
export class UnreadableError extends DataDeletionError {
  /** What is wrong, without the location. */
  readonly reason: string;
  /** The 1-based line where it was found, when there is one. */
  readonly line: number | undefined;

  constructor(reason: string, line?: number) {
    super(line === undefined ? reason : `line ${line}: ${reason}`);
    this.reason = reason;
    this.line = line;
  }
}
