/**
 * Status updates to citizens: when a case that came from a citizen moves, each report
 * behind it is told through a notifier. The log notifier ships (it logs the case number,
 * the new state and a masked contact, never the contact itself); an SMS or push adapter
 * implements the same interface.
 */
import { maskEmail, maskPhone } from '../identity/index.ts';
import type { CaseEvent, CaseTransitioned } from '../cases/index.ts';
import type { Logger, PlatformEvent } from '../kernel/index.ts';

export interface StatusUpdate {
  caseNumber: string;
  /** The report's follow token. */
  token: string;
  state: string;
  event: string;
  at: string;
  contact: { email: string | null; phone: string | null; deviceId: string | null };
}

export interface StatusNotifier {
  notify(update: StatusUpdate): Promise<void>;
}

/** Writes each update to the log, with the contact masked. */
export class LogStatusNotifier implements StatusNotifier {
  constructor(private readonly logger: Logger) {}
  async notify(u: StatusUpdate): Promise<void> {
    this.logger.info(
      {
        caseNumber: u.caseNumber,
        state: u.state,
        event: u.event,
        email: u.contact.email ? maskEmail(u.contact.email) : null,
        phone: u.contact.phone ? maskPhone(u.contact.phone) : null,
        device: u.contact.deviceId ? 'yes' : 'no',
      },
      'citizen status update',
    );
  }
}

/** Keeps updates in memory (tests, demos). */
export class MemoryStatusNotifier implements StatusNotifier {
  readonly updates: StatusUpdate[] = [];
  async notify(u: StatusUpdate): Promise<void> {
    this.updates.push(u);
  }
}

/** The case events a citizen hears about: transitions that change the state they see. */
export function isCitizenVisibleEvent(e: CaseEvent): e is CaseEvent & PlatformEvent<CaseTransitioned> {
  const d = e.data;
  return (
    e.type.startsWith('case.') &&
    e.type !== 'case.reported' &&
    'to' in d &&
    typeof d.to === 'string' &&
    d.from !== d.to
  );
}
