/**
 * `applyAction`: the one entry that moves a case. The request joins the engine's transition
 * batch (transition-batch.ts), which locks the case, checks jurisdiction, track (role),
 * version, state and the guards of the transition table, writes the new state, appends
 * history and audit, moves the SLA clock and its timers; after commit it publishes the
 * event. Nothing else writes a case's state.
 */
import type { Principal } from '../../identity/index.ts';
import { NotFoundError, UnauthenticatedError } from '../../kernel/index.ts';
import type { CaseEngine } from '../case-engine.ts';
import type { CaseView } from '../rules/case-model.ts';
import { runAlone, transitionBatcher } from './transition-batch.ts';
import { type ActionParams, assertMayTake } from './transition-decide.ts';
import { isCaseAction, transitionOf } from '../rules/transitions.ts';

export type { ActionParams } from './transition-decide.ts';

/** Applies an action to a case for a principal; returns the case after commit. */
export async function applyAction(
  engine: CaseEngine,
  principal: Principal,
  idOrNumber: string,
  action: string,
  params: ActionParams,
): Promise<CaseView> {
  if (principal.kind === 'anonymous') throw new UnauthenticatedError();
  if (!isCaseAction(action))
    throw new NotFoundError(`There is no case action "${action}".`, 'case.unknown_action', { action });
  // Before the case is read: who may take the action does not depend on which case it is.
  assertMayTake(transitionOf(action), principal);
  const command = { principal, idOrNumber, action, params };
  // A merge locks a second case, its target. In a batch it would wait for it while holding
  // the commit-order lock (taken by the batch's earlier writes), which a timer holding the
  // target waits for: a deadlock. It runs as a batch of its own, which locks both cases
  // before it writes anything (rare: no batching needed).
  if (action === 'merge') return runAlone(engine, command);
  return transitionBatcher(engine).submit(command);
}
