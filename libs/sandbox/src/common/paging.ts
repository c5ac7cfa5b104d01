import { CursorPosition, decodeCursor, ValidationFailedError } from '@aihub/core';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A keyset cursor whose key is a timestamp and whose id is a UUID; anything else is a 400. */
export function decodeTimeCursor(cursor: string | undefined): CursorPosition | undefined {
  const after = decodeCursor(cursor);
  if (after && (Number.isNaN(Date.parse(after.key)) || !UUID.test(after.id)))
    throw new ValidationFailedError([{ field: 'cursor', message: 'cursor is not one this API issued' }]);
  return after;
}
