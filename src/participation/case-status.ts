/**
 * What a case's state means to a citizen: Open311 `open`/`closed`, a localized label for
 * `status_notes`, and which history steps a citizen may see.
 */
import type { CaseState } from '../cases/index.ts';
import type { Language } from './open311-services.ts';

/** States after which a request is `closed` in Open311 terms (rejected and merged included). */
export const CLOSED_STATES: readonly CaseState[] = ['rejected', 'closed', 'evaluated', 'merged'];

export const open311Status = (state: CaseState): 'open' | 'closed' =>
  CLOSED_STATES.includes(state) ? 'closed' : 'open';

const LABELS: Record<CaseState, { 'zh-CN': string; en: string }> = {
  reported: { 'zh-CN': '已受理，待立案', en: 'Received, awaiting filing' },
  filed: { 'zh-CN': '已立案，待派遣', en: 'Filed, awaiting dispatch' },
  rejected: { 'zh-CN': '不予立案', en: 'Not filed' },
  dispatched: { 'zh-CN': '已派遣至责任部门', en: 'Sent to the responsible department' },
  in_progress: { 'zh-CN': '处置中', en: 'Being handled' },
  handled: { 'zh-CN': '已处置，待核查', en: 'Handled, awaiting verification' },
  rework: { 'zh-CN': '核查未通过，返工中', en: 'Verification failed, being reworked' },
  closed: { 'zh-CN': '已结案', en: 'Closed' },
  evaluated: { 'zh-CN': '已结案并评价', en: 'Closed and rated' },
  merged: { 'zh-CN': '已与其他案件合并', en: 'Merged with another case' },
  extension_pending: { 'zh-CN': '处置中（申请延期）', en: 'Being handled (extension requested)' },
  deferred: { 'zh-CN': '缓办', en: 'Deferred' },
  parked: { 'zh-CN': '挂账', en: 'On hold' },
};

/** The citizen-facing label of a state. */
export function stateLabel(state: CaseState, lang: Language): string {
  return LABELS[state]?.[lang] ?? state;
}

/**
 * History actions a citizen sees, and which of their parameters are public: the reason of
 * a rejection and the merge target are told to the reporter; internal notes, evidence,
 * department choices and people are not.
 */
export const PUBLIC_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  report: [],
  file: [],
  reject: ['reason'],
  dispatch: [],
  accept: [],
  return: [],
  'decide-extension': [],
  defer: [],
  park: [],
  unpark: [],
  handle: [],
  verify: [],
  close: [],
  evaluate: ['satisfaction'],
  merge: [],
};
