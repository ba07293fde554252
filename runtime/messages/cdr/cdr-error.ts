// Raised for a message that does not match its type, for bytes that are not a valid CDR encoding of it, and for
// descriptors the codec cannot handle. A UserError: such bytes come from files and peers, and the message names the
// field path, which is what a person needs to fix it.
import { UserError } from '../../errors.js';

export class CdrError extends UserError {
  /** The field path the problem is at (`JointState.position[3]`), when there is one. */
  readonly path: string | undefined;

  constructor(message: string, path?: string) {
    super(message);
    this.path = path;
  }
}
