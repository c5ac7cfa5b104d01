import { ConflictError, UnprocessableError } from '@aihub/core';

export class SandboxNotActiveError extends ConflictError {
  constructor(status: string) {
    super('SANDBOX_NOT_ACTIVE', `The sandbox is ${status}; it takes no new grants, runs or exports.`, {
      sandboxStatus: status,
    });
  }
}

export class SandboxExistsError extends ConflictError {
  constructor(sandboxId: string) {
    super('SANDBOX_EXISTS', 'A sandbox was already provisioned for this application.', { sandboxId });
  }
}

export class ApplicationNotSelectedError extends ConflictError {
  constructor(status: string) {
    super(
      'APPLICATION_NOT_SELECTED',
      `Only a selected (awarded) application gets a sandbox; it is ${status}.`,
      {
        applicationStatus: status,
      },
    );
  }
}

export class ExtensionDecidedError extends ConflictError {
  constructor(status: string) {
    super('EXTENSION_ALREADY_DECIDED', `The extension request is already ${status}.`, {
      extensionStatus: status,
    });
  }
}

export class ExtensionPendingError extends ConflictError {
  constructor(extensionId: string) {
    super('EXTENSION_PENDING', 'An extension request of this sandbox is already waiting for a decision.', {
      extensionId,
    });
  }
}

export class GrantExistsError extends ConflictError {
  constructor(grantId: string) {
    super('GRANT_EXISTS', 'This dataset version is already requested or granted in this view.', { grantId });
  }
}

export class UnknownDatasetVersionError extends UnprocessableError {
  constructor(versionId: string) {
    super('DATASET_VERSION_NOT_FOUND', `Dataset version ${versionId} does not exist.`, {
      errors: [{ field: 'datasetVersionId', message: 'no such dataset version' }],
    });
  }
}

export class InvalidRunRequestError extends UnprocessableError {
  constructor(detail: string, field: string) {
    super('INVALID_RUN_REQUEST', detail, { errors: [{ field, message: detail }] });
  }
}

export class RunNotCancellableError extends ConflictError {
  constructor(status: string) {
    super('INVALID_STATE_TRANSITION', `Cannot cancel a run that is ${status}.`, {
      from: status,
      action: 'cancel',
    });
  }
}

export class RunNotFinishedError extends ConflictError {
  constructor(status: string) {
    super('RUN_NOT_SUCCEEDED', `Outputs can be exported from a succeeded run only; this one is ${status}.`, {
      runStatus: status,
    });
  }
}

export class UnknownOutputPathError extends UnprocessableError {
  constructor(paths: string[]) {
    super('OUTPUT_NOT_FOUND', `The run has no output file ${paths.join(', ')}.`, {
      errors: paths.map((p) => ({ field: 'paths', message: `no output file ${p}` })),
    });
  }
}

export class CoreDataNotExportableError extends ConflictError {
  constructor(datasets: string[]) {
    super(
      'CORE_DATA_NOT_EXPORTABLE',
      `The run had core-grade data mounted (${datasets.join(', ')}); nothing of it can leave the sandbox.`,
      { datasets },
    );
  }
}

export class ExportNotReviewableError extends ConflictError {
  constructor(status: string) {
    super('EXPORT_NOT_PENDING_REVIEW', `The export is ${status}; it takes no decisions.`, {
      exportStatus: status,
    });
  }
}

export class AlreadyDecidedError extends ConflictError {
  constructor() {
    super('ALREADY_DECIDED', 'You have already decided on this export.');
  }
}

export class ExportNotReleasedError extends ConflictError {
  constructor(status: string) {
    super('EXPORT_NOT_RELEASED', `The export is ${status}; only released exports can be downloaded.`, {
      exportStatus: status,
    });
  }
}

export class MultipartError extends UnprocessableError {
  constructor(detail: string) {
    super('INVALID_MULTIPART', detail);
  }
}
