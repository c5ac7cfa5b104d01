import { UnprocessableError } from '@aihub/core';

/** The upload is not a readable .tar.gz (or .tar) archive. */
export class InvalidBundleError extends UnprocessableError {
  constructor(detail: string) {
    super('BUNDLE_INVALID', `The bundle is not a valid tar archive: ${detail}.`);
  }
}

/** The archive holds something that could escape or abuse the extraction folder. */
export class UnsafeBundleError extends UnprocessableError {
  constructor(
    readonly entry: string,
    reason: string,
  ) {
    super('BUNDLE_UNSAFE', `The bundle entry ${JSON.stringify(entry)} is refused: ${reason}.`, {
      entry,
      reason,
    });
  }
}

/** The archive is larger (bytes, files or entries) than the limits allow. */
export class BundleTooLargeError extends UnprocessableError {
  constructor(detail: string, limit: number) {
    super('BUNDLE_TOO_LARGE', `The bundle is too large: ${detail}.`, { limit });
  }
}
