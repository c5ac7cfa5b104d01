import type { FieldError } from '@aihub/core';
import {
  type AwardMode,
  PARALLEL_MAX_AWARDEES,
  PARALLEL_MIN_AWARDEES,
  SANDBOX_DAYS_MAX,
  SANDBOX_DAYS_MIN,
} from '../vocabularies';

export interface ScenarioRuleInput {
  awardMode: AwardMode;
  maxAwardees: number;
  applicationOpensAt: Date;
  applicationClosesAt: Date;
  sandboxDays: number;
}

/**
 * Rules across fields of a scenario (single fields are checked by the DTO): the application window
 * opens before it closes; `single` awards exactly one awardee, `parallel` (horse race) 2–5.
 */
export function scenarioRuleErrors(s: ScenarioRuleInput): FieldError[] {
  const errors: FieldError[] = [];
  if (!(s.applicationOpensAt.getTime() < s.applicationClosesAt.getTime())) {
    errors.push({
      field: 'applicationClosesAt',
      message: 'applicationClosesAt must be later than applicationOpensAt',
    });
  }
  if (s.awardMode === 'single' && s.maxAwardees !== 1) {
    errors.push({ field: 'maxAwardees', message: 'maxAwardees must be 1 when awardMode is single' });
  }
  if (
    s.awardMode === 'parallel' &&
    !(s.maxAwardees >= PARALLEL_MIN_AWARDEES && s.maxAwardees <= PARALLEL_MAX_AWARDEES)
  ) {
    errors.push({
      field: 'maxAwardees',
      message: `maxAwardees must be between ${PARALLEL_MIN_AWARDEES} and ${PARALLEL_MAX_AWARDEES} when awardMode is parallel`,
    });
  }
  if (
    !Number.isInteger(s.sandboxDays) ||
    s.sandboxDays < SANDBOX_DAYS_MIN ||
    s.sandboxDays > SANDBOX_DAYS_MAX
  ) {
    errors.push({
      field: 'sandboxDays',
      message: `sandboxDays must be an integer between ${SANDBOX_DAYS_MIN} and ${SANDBOX_DAYS_MAX}`,
    });
  }
  return errors;
}

/** How many awardees a proposal may name. */
export function awardeeCountError(awardMode: AwardMode, maxAwardees: number, count: number): string | null {
  if (awardMode === 'single' && count !== 1) return 'a single-award scenario takes exactly one awardee';
  if (awardMode === 'parallel' && (count < 1 || count > maxAwardees))
    return `a parallel-award scenario takes between 1 and ${maxAwardees} awardees`;
  return null;
}
