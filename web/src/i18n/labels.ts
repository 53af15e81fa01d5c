/**
 * Message keys of the server's enumerations. Written out (not built as `state.${s}`) so
 * the translation test can see that every key is used.
 */
import type { CaseState, Channel, Role, Satisfaction, SlaLight, Urgency } from '../api/types.ts';
import type { CaseActionName } from '../cases/case-actions.ts';
import type { MessageKey } from './en.ts';

export const STATE_LABEL: Record<CaseState, MessageKey> = {
  reported: 'state.reported',
  filed: 'state.filed',
  rejected: 'state.rejected',
  dispatched: 'state.dispatched',
  in_progress: 'state.in_progress',
  handled: 'state.handled',
  rework: 'state.rework',
  closed: 'state.closed',
  evaluated: 'state.evaluated',
  merged: 'state.merged',
  extension_pending: 'state.extension_pending',
  deferred: 'state.deferred',
  parked: 'state.parked',
};

export const ACTION_LABEL: Record<CaseActionName, MessageKey> = {
  file: 'action.file',
  reject: 'action.reject',
  merge: 'action.merge',
  dispatch: 'action.dispatch',
  accept: 'action.accept',
  return: 'action.return',
  'request-extension': 'action.request-extension',
  'decide-extension': 'action.decide-extension',
  defer: 'action.defer',
  park: 'action.park',
  unpark: 'action.unpark',
  handle: 'action.handle',
  verify: 'action.verify',
  close: 'action.close',
  evaluate: 'action.evaluate',
  supervise: 'action.supervise',
  escalate: 'action.escalate',
  whistle: 'action.whistle',
  'report-in': 'action.report-in',
  'rate-linkage': 'action.rate-linkage',
};

export const ROLE_LABEL: Record<Role, MessageKey> = {
  citizen: 'role.citizen',
  grid_worker: 'role.grid_worker',
  supervision_operator: 'role.supervision_operator',
  dispatcher: 'role.dispatcher',
  department_handler: 'role.department_handler',
  department_leader: 'role.department_leader',
  street_officer: 'role.street_officer',
  city_leader: 'role.city_leader',
  auditor: 'role.auditor',
  admin: 'role.admin',
};

export const URGENCY_LABEL: Record<Urgency, MessageKey> = {
  normal: 'urgency.normal',
  urgent: 'urgency.urgent',
  emergency: 'urgency.emergency',
};

export const CHANNEL_LABEL: Record<Channel, MessageKey> = {
  hotline: 'channel.hotline',
  web: 'channel.web',
  app: 'channel.app',
  open311: 'channel.open311',
  grid_patrol: 'channel.grid_patrol',
  sensor_alert: 'channel.sensor_alert',
  video_alert: 'channel.video_alert',
  higher_assignment: 'channel.higher_assignment',
  media: 'channel.media',
};

export const LIGHT_LABEL: Record<SlaLight | 'none', MessageKey> = {
  green: 'light.green',
  yellow: 'light.yellow',
  red: 'light.red',
  none: 'light.none',
};

export const SATISFACTION_LABEL: Record<Satisfaction, MessageKey> = {
  satisfied: 'satisfaction.satisfied',
  basically_satisfied: 'satisfaction.basically_satisfied',
  unsatisfied: 'satisfaction.unsatisfied',
};
