/**
 * An embedded engine cannot be built because a tool is missing on this machine. Start-up prints its
 * message (what is missing, and the ways forward) as it is, without a stack trace.
 */
export class MissingToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingToolError';
  }
}
