import { InvalidStateError } from '@aihub/core';
import {
  APPLICATION_STATES,
  applicationMachine,
  BATCH_STATES,
  batchMachine,
  SCENARIO_STATES,
  scenarioMachine,
  StateMachine,
} from './state-machine';

/**
 * The expected legal transitions, written out independently of the tables: `action: from -> to`.
 * Every (state, action) pair not listed must be refused with INVALID_STATE_TRANSITION.
 */
const SCENARIO_LEGAL = `
  update: draft -> draft
  submit: draft -> submitted
  return: submitted -> draft
  withdraw: draft -> withdrawn
  withdraw: submitted -> withdrawn
  publish: submitted -> published
  close: published -> closed
  propose_award: closed -> awarding
  propose_award: awarding -> awarding
  award: awarding -> awarded
  start_evaluation: awarded -> evaluating
  conclude: evaluating -> concluded
`;

const APPLICATION_LEGAL = `
  update: draft -> draft
  update: returned -> returned
  attach: draft -> draft
  attach: returned -> returned
  submit: draft -> submitted
  submit: returned -> submitted
  formal_pass: submitted -> formal_passed
  return: submitted -> returned
  reject: submitted -> rejected
  withdraw: draft -> withdrawn
  withdraw: submitted -> withdrawn
  withdraw: returned -> withdrawn
  withdraw: formal_passed -> withdrawn
  withdraw: shortlisted -> withdrawn
  shortlist: formal_passed -> shortlisted
  propose: formal_passed -> proposed
  propose: shortlisted -> proposed
  unpropose: proposed -> formal_passed
  select: proposed -> selected
  not_select: formal_passed -> not_selected
  not_select: shortlisted -> not_selected
`;

const BATCH_LEGAL = `
  publish: draft -> published
`;

function parse(spec: string): Map<string, string> {
  const legal = new Map<string, string>();
  for (const line of spec.trim().split('\n')) {
    const m = /^\s*(\w+): (\w+) -> (\w+)\s*$/.exec(line);
    if (!m) throw new Error(`bad line: ${line}`);
    legal.set(`${m[2]}|${m[1]}`, m[3]);
  }
  return legal;
}

function checkEveryPair<S extends string, A extends string>(
  machine: StateMachine<S, A>,
  states: readonly S[],
  legalSpec: string,
) {
  const legal = parse(legalSpec);
  const pairs = states.flatMap((s) => machine.actions.map((a) => [s, a] as const));

  it('lists exactly the expected actions', () => {
    const expected = [...new Set([...legal.keys()].map((k) => k.split('|')[1]))].sort();
    expect([...machine.actions].sort()).toEqual(expected);
  });

  it.each(pairs.filter(([s, a]) => legal.has(`${s}|${a}`)))('allows %s --%s-->', (state, action) => {
    expect(machine.can(state, action)).toBe(true);
    expect(machine.nextState(state, action)).toBe(legal.get(`${state}|${action}`));
  });

  it.each(pairs.filter(([s, a]) => !legal.has(`${s}|${a}`)))('refuses %s --%s-->', (state, action) => {
    expect(machine.can(state, action)).toBe(false);
    let error: unknown;
    try {
      machine.nextState(state, action);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidStateError);
    expect(error).toMatchObject({ code: 'INVALID_STATE_TRANSITION', status: 409 });
    expect((error as InvalidStateError).extra).toEqual({ from: state, action });
  });
}

describe('scenario state machine', () => {
  checkEveryPair(scenarioMachine, SCENARIO_STATES, SCENARIO_LEGAL);

  it('reaches every state from draft', () => {
    const reached = new Set<string>(['draft']);
    for (let grew = true; grew;) {
      grew = false;
      for (const s of [...reached])
        for (const a of scenarioMachine.actions)
          if (scenarioMachine.can(s as never, a)) {
            const next = scenarioMachine.nextState(s as never, a);
            if (!reached.has(next)) grew = reached.add(next) !== undefined;
          }
    }
    expect([...reached].sort()).toEqual([...SCENARIO_STATES].sort());
  });

  it('has no way out of withdrawn and concluded', () => {
    for (const a of scenarioMachine.actions) {
      expect(scenarioMachine.can('withdrawn', a)).toBe(false);
      expect(scenarioMachine.can('concluded', a)).toBe(false);
    }
  });
});

describe('application state machine', () => {
  checkEveryPair(applicationMachine, APPLICATION_STATES, APPLICATION_LEGAL);

  it('has no way out of the final states', () => {
    for (const final of ['rejected', 'selected', 'not_selected', 'withdrawn'] as const)
      for (const a of applicationMachine.actions) expect(applicationMachine.can(final, a)).toBe(false);
  });
});

describe('batch state machine', () => {
  checkEveryPair(batchMachine, BATCH_STATES, BATCH_LEGAL);
});
