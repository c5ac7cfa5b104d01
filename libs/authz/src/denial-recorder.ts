export const DENIAL_RECORDER = Symbol('DENIAL_RECORDER');

/** Implemented by audit: writes one event per denied authorization attempt. */
export interface DenialRecorder {
  recordDenied(input: {
    action: string;
    objectType: string;
    objectId?: string | null;
    details?: Record<string, unknown>;
  }): Promise<void>;
}
