/** Programming errors of producers (never caused by an HTTP caller): they fail the caller's transaction. */
export class InvalidNotificationError extends Error {
  constructor(detail: string) {
    super(`invalid notification: ${detail}`);
    this.name = 'InvalidNotificationError';
  }
}
