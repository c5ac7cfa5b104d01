import { ConflictError, DomainError, ValidationFailedError } from '@aihub/core';

/** No checkpoint has been signed yet (the ledger is empty or the sequencer has not run). */
export class CheckpointNotFoundError extends DomainError {
  constructor() {
    super('AUDIT_CHECKPOINT_NOT_FOUND', 404, 'Not found', 'No audit checkpoint has been signed yet.');
  }
}

/** A proof was asked for a tree larger than the ledger is (yet). */
export class TreeSizeNotFoundError extends DomainError {
  constructor(requested: number, current: number) {
    super(
      'AUDIT_TREE_SIZE_NOT_FOUND',
      404,
      'Not found',
      `The audit ledger has ${current} entries; a tree of size ${requested} does not exist (yet).`,
      { treeSize: current },
    );
  }
}

/** An export range reaching past the latest signed checkpoint (its proofs would have no signed root). */
export class RangeNotCheckpointedError extends ConflictError {
  constructor(endIndex: number, checkpointTreeSize: number) {
    super(
      'AUDIT_RANGE_NOT_CHECKPOINTED',
      `Entries up to index ${endIndex - 1} are not covered by the latest signed checkpoint (treeSize ${checkpointTreeSize}) yet; retry shortly or export up to it.`,
      { checkpointTreeSize },
    );
  }
}

/** 400 VALIDATION_FAILED for one query parameter. */
export function invalidParam(field: string, message: string): ValidationFailedError {
  return new ValidationFailedError([{ field, message }]);
}
