import { InvalidStateError } from '@aihub/core';

/**
 * The lifecycle state machines as data. Pure (no I/O): services call `nextState` before writing, and
 * the unit spec checks every (state, action) pair. An action whose `to` is `null` keeps the state
 * (an edit allowed only in some states).
 */
export interface Transition<S extends string> {
  from: readonly S[];
  to: S | null;
}

export type TransitionTable<S extends string, A extends string> = Readonly<Record<A, Transition<S>>>;

export class StateMachine<S extends string, A extends string> {
  constructor(
    readonly objectType: string,
    readonly states: readonly S[],
    readonly table: TransitionTable<S, A>,
  ) {}

  get actions(): A[] {
    return Object.keys(this.table) as A[];
  }

  can(from: S, action: A): boolean {
    return this.table[action].from.includes(from);
  }

  /** The state after `action`, or 409 INVALID_STATE_TRANSITION. */
  nextState(from: S, action: A): S {
    if (!this.can(from, action)) throw new InvalidStateError(this.objectType, from, action);
    return this.table[action].to ?? from;
  }
}

// ---- batches (第N期需求清单) ----

export const BATCH_STATES = ['draft', 'published'] as const;
export type BatchState = (typeof BATCH_STATES)[number];
export type BatchAction = 'publish';

export const batchMachine = new StateMachine<BatchState, BatchAction>('Batch', BATCH_STATES, {
  publish: { from: ['draft'], to: 'published' },
});

// ---- scenarios (发榜) ----

export const SCENARIO_STATES = [
  'draft',
  'submitted',
  'published',
  'closed',
  'awarding',
  'awarded',
  'evaluating',
  'concluded',
  'withdrawn',
] as const;
export type ScenarioState = (typeof SCENARIO_STATES)[number];

/** States anyone (also anonymous callers) may see: publication and later. */
export const PUBLIC_SCENARIO_STATES: readonly ScenarioState[] = [
  'published',
  'closed',
  'awarding',
  'awarded',
  'evaluating',
  'concluded',
];

export type ScenarioAction =
  | 'update' // issuer edits its draft
  | 'submit' // issuer hands the draft to the operator
  | 'return' // operator sends a submitted scenario back to draft, with a reason
  | 'withdraw' // issuer withdraws before publication
  | 'publish' // operator publishes into a published batch
  | 'close' // operator, or the timer at applicationClosesAt
  | 'propose_award' // issuer or operator proposes awardees (again, after a failed publicity)
  | 'award' // the award publicity ended with no upheld objection
  | 'start_evaluation' // evaluation issue
  | 'conclude'; // evaluation issue

export const scenarioMachine = new StateMachine<ScenarioState, ScenarioAction>('Scenario', SCENARIO_STATES, {
  update: { from: ['draft'], to: null },
  submit: { from: ['draft'], to: 'submitted' },
  return: { from: ['submitted'], to: 'draft' },
  withdraw: { from: ['draft', 'submitted'], to: 'withdrawn' },
  publish: { from: ['submitted'], to: 'published' },
  close: { from: ['published'], to: 'closed' },
  propose_award: { from: ['closed', 'awarding'], to: 'awarding' },
  award: { from: ['awarding'], to: 'awarded' },
  start_evaluation: { from: ['awarded'], to: 'evaluating' },
  conclude: { from: ['evaluating'], to: 'concluded' },
});

// ---- applications (揭榜) ----

export const APPLICATION_STATES = [
  'draft',
  'submitted',
  'returned',
  'formal_passed',
  'rejected',
  'shortlisted',
  'proposed',
  'selected',
  'not_selected',
  'withdrawn',
] as const;
export type ApplicationState = (typeof APPLICATION_STATES)[number];

/** An organization's application that still occupies its place (one per organization and scenario). */
export const LIVE_APPLICATION_STATES: readonly ApplicationState[] = APPLICATION_STATES.filter(
  (s) => s !== 'withdrawn',
);

export type ApplicationAction =
  | 'update' // applicant edits proposal, consortium
  | 'attach' // applicant uploads an attachment
  | 'submit' // applicant submits (or resubmits after a return), inside the window
  | 'formal_pass' // operator's formal check: pass
  | 'return' // operator's formal check: return for correction
  | 'reject' // operator's formal check: reject
  | 'withdraw' // applicant withdraws
  | 'shortlist' // expert review (later issue)
  | 'propose' // named in an award proposal
  | 'unpropose' // the award publicity failed (upheld objection)
  | 'select' // the award publicity passed
  | 'not_select'; // the award publicity passed and this one was not proposed

export const applicationMachine = new StateMachine<ApplicationState, ApplicationAction>(
  'Application',
  APPLICATION_STATES,
  {
    update: { from: ['draft', 'returned'], to: null },
    attach: { from: ['draft', 'returned'], to: null },
    submit: { from: ['draft', 'returned'], to: 'submitted' },
    formal_pass: { from: ['submitted'], to: 'formal_passed' },
    return: { from: ['submitted'], to: 'returned' },
    reject: { from: ['submitted'], to: 'rejected' },
    withdraw: { from: ['draft', 'submitted', 'returned', 'formal_passed', 'shortlisted'], to: 'withdrawn' },
    shortlist: { from: ['formal_passed'], to: 'shortlisted' },
    propose: { from: ['formal_passed', 'shortlisted'], to: 'proposed' },
    unpropose: { from: ['proposed'], to: 'formal_passed' },
    select: { from: ['proposed'], to: 'selected' },
    not_select: { from: ['formal_passed', 'shortlisted'], to: 'not_selected' },
  },
);

/** States from which an application can be named in an award proposal. */
export const AWARDABLE_APPLICATION_STATES: readonly ApplicationState[] =
  applicationMachine.table.propose.from;
