/**
 * Citizen updates: when a case reaches a state its reporters care about (filed,
 * dispatched, handled, closed — and rejected), a job enqueued in the transaction of the
 * change (case-outbox.ts) tells every reporter. Reporters with an account get an in-app
 * notification; reporters who gave consent are also contacted through the configured
 * `CitizenNotifier` (a log adapter ships; e-mail and SMS adapters plug in through the
 * same interface and are not shipped). Each (reporter, event) is sent at most once.
 */
import type { Transaction } from 'kysely';
import type { Logger } from 'pino';
import { maskEmail, maskName, maskPhone } from '../../identity/index.ts';
import type { Database, Job } from '../../kernel/index.ts';
import type { CaseEngine } from '../case-engine.ts';
import { JOB_CITIZEN_UPDATE } from '../store/case-outbox.ts';

/** One message to one reporter. */
export interface CitizenMessage {
  caseId: string;
  caseNumber: string;
  state: string;
  eventId: string;
  /** The reporter's contact data, in clear: adapters must not log it. */
  to: { name: string | null; phone: string | null; email: string | null };
  text: string;
  at: Date;
}

/** Sends citizen updates over one channel (log, e-mail, SMS…). Throwing retries the job. */
export interface CitizenNotifier {
  /** Recorded with each message sent, e.g. `log`, `sms`. */
  readonly name: string;
  send(message: CitizenMessage): Promise<void>;
}

/** The shipped adapter: writes each update to the log, with the contact data masked. */
export class LogCitizenNotifier implements CitizenNotifier {
  readonly name = 'log';
  constructor(private readonly logger: Pick<Logger, 'info'>) {}
  async send(m: CitizenMessage): Promise<void> {
    this.logger.info(
      {
        caseNumber: m.caseNumber,
        state: m.state,
        recipient: { n: maskName(m.to.name), p: maskPhone(m.to.phone), e: maskEmail(m.to.email) },
      },
      `citizen update: ${m.text}`,
    );
  }
}

const TEXT: Record<string, (n: string) => string> = {
  filed: (n) => `Your report ${n} has been accepted as a case.`,
  dispatched: (n) => `Case ${n} has been sent to the department responsible.`,
  handled: (n) => `The department reports case ${n} as dealt with; it will be checked.`,
  closed: (n) => `Case ${n} is closed. Tell us how satisfied you are.`,
  rejected: (n) => `Your report ${n} was not accepted as a case.`,
};

/** Registers the citizen update job. */
export function registerCitizenUpdateJobs(engine: CaseEngine, notifier: CitizenNotifier): void {
  engine.scheduler.handle(JOB_CITIZEN_UPDATE, async (job: Job, trx: Transaction<Database>) => {
    const { caseId, eventId, state } = job.payload as { caseId: string; eventId: string; state: string };
    const c = await trx
      .selectFrom('case_record')
      .select(['number'])
      .where('id', '=', caseId)
      .executeTakeFirst();
    if (!c) return;
    const reporters = await trx
      .selectFrom('case_reporter as r')
      .leftJoin('case_citizen_message as m', (j) =>
        j.onRef('m.reporter_id', '=', 'r.id').on('m.event_id', '=', eventId),
      )
      .select(['r.id', 'r.user_id', 'r.name', 'r.phone', 'r.email', 'r.consent'])
      .where('r.case_id', '=', caseId)
      .where('m.event_id', 'is', null)
      .orderBy('r.id')
      .execute();
    const now = engine.clock.now();
    const text = (TEXT[state] ?? ((n: string) => `Case ${n} is now ${state}.`))(c.number);
    for (const r of reporters) {
      if (r.user_id)
        await trx
          .insertInto('case_notification')
          .values({
            case_id: caseId,
            kind: 'case_update',
            recipient_user: r.user_id,
            message: text,
            data: JSON.stringify({ state, eventId }),
            created_at: now,
          })
          .execute();
      // Without consent nobody is contacted outside the app.
      if (r.consent && (r.phone || r.email))
        await notifier.send({
          caseId,
          caseNumber: c.number,
          state,
          eventId,
          to: { name: r.name, phone: r.phone, email: r.email },
          text,
          at: now,
        });
      await trx
        .insertInto('case_citizen_message')
        .values({
          reporter_id: r.id,
          event_id: eventId,
          case_id: caseId,
          state,
          adapter: r.consent && (r.phone || r.email) ? notifier.name : 'in-app',
          sent_at: now,
        })
        .execute();
    }
  });
}
