// A user's mistake (bad file, bad flag, bad config) as opposed to a bug. The CLI prints only the message of a
// UserError and exits with code 2; anything else is a bug and keeps its stack trace.
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}
