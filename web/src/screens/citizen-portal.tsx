/**
 * The citizen portal (public): report a problem with a map pin, a category from the
 * catalogue (the Open311 service list) and a photo; follow a report by its case number or
 * follow token; rate it after closure. Backed by the participation capability's citizen API.
 */
import { type FormEvent, useState } from 'react';
import { api } from '../api/client.ts';
import { ENDPOINTS, pathOf } from '../api/endpoints.ts';
import type { CaseState, Satisfaction } from '../api/types.ts';
import { useResource } from '../api/use-resource.ts';
import { StateBadge } from '../components/badges.tsx';
import { SatisfactionPicker } from '../components/case-drawer.tsx';
import { type ReportInput, ReportForm } from '../components/report-form.tsx';
import { ErrorNote, useMissing, WaitingForApi } from '../components/waiting-for-api.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { SATISFACTION_LABEL } from '../i18n/labels.ts';
import { useSession } from '../session/session.tsx';

/** A report as its citizen follows it (participation's CitizenCaseView). */
interface CitizenCase {
  number: string;
  state: CaseState;
  stateLabel: string;
  serviceName: string;
  reportedAt: string;
  expectedAt?: string | null;
  satisfaction: Satisfaction | null;
  canRate?: boolean;
  history?: Array<{ at: string; action: string; label: string | null }>;
  own?: { description: string; address: string | null; photos: string[] };
}

interface Receipt {
  token: string;
  number: string | null;
  notice: string | null;
}

export function CitizenPortal() {
  const { t, lang } = useI18n();
  const { me } = useSession();
  const missing = useMissing(ENDPOINTS.citizenReport, ENDPOINTS.citizenFollow, ENDPOINTS.citizenRate);
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  const [followed, setFollowed] = useState<string | null>(null);
  const [mineTick, setMineTick] = useState(0);

  const submit = async (input: ReportInput) => {
    const form = new FormData();
    form.append('service_code', input.category);
    form.append('lat', String(input.lat));
    form.append('lon', String(input.lon));
    form.append('description', input.description);
    if (input.address) form.append('address', input.address);
    if (input.photoFile) form.append('photo', input.photoFile, input.photoFile.name);
    const result = await api.post<Receipt>(ENDPOINTS.citizenReport.path, form, {
      headers: { 'accept-language': lang },
    });
    setReceipt(result);
    setMineTick((n) => n + 1);
  };

  return (
    <div className="workspace phone citizen">
      <h1>{t('nav.citizen')}</h1>
      <WaitingForApi endpoints={missing} />
      {receipt && (
        <p className="notice ok" role="status" data-receipt={receipt.number ?? receipt.token}>
          {receipt.number ? t('report.created', { number: receipt.number }) : t('citizen.queued')}{' '}
          {t('citizen.token', { token: receipt.token })}
        </p>
      )}
      {!missing.includes(ENDPOINTS.citizenReport) && (
        <ReportForm title={t('citizen.report')} submit={submit} compact photoMode="file" />
      )}
      <FollowForm onFound={setFollowed} />
      {followed && <FollowedCase reference={followed} />}
      {me && <MyReports onOpen={setFollowed} refreshKey={mineTick} />}
    </div>
  );
}

function FollowForm({ onFound }: { onFound(ref: string): void }) {
  const { t } = useI18n();
  const [ref, setRef] = useState('');
  return (
    <form
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        onFound(ref.trim());
      }}
      className="follow"
      aria-labelledby="follow-title"
    >
      <h2 id="follow-title">{t('citizen.follow')}</h2>
      <div className="row">
        <div className="field">
          <label htmlFor="follow-ref">{t('citizen.numberOrToken')}</label>
          <input id="follow-ref" value={ref} onChange={(e) => setRef(e.target.value)} required />
        </div>
        <button type="submit">{t('citizen.find')}</button>
      </div>
    </form>
  );
}

function FollowedCase({ reference }: { reference: string }) {
  const { t, time, lang } = useI18n();
  const [tick, setTick] = useState(0);
  const kase = useResource(
    (signal) =>
      api.get<CitizenCase>(pathOf(ENDPOINTS.citizenFollow, { ref: reference }), {
        signal,
        headers: { 'accept-language': lang },
      }),
    [reference, tick, lang],
  );
  const [satisfaction, setSatisfaction] = useState<Satisfaction>('satisfied');
  const [error, setError] = useState<Error | null>(null);
  const [done, setDone] = useState(false);
  const c = kase.data;
  const rate = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await api.post(pathOf(ENDPOINTS.citizenRate, { ref: reference }), { satisfaction });
      setDone(true);
      setTick((n) => n + 1);
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <section className="followed" aria-labelledby="followed-title" data-followed={c?.number ?? reference}>
      <h2 id="followed-title">
        {t('case.title')} {c?.number ?? reference}
      </h2>
      <ErrorNote error={kase.error} />
      {c && (
        <>
          <p>
            <StateBadge state={c.state} /> {c.stateLabel} · {c.serviceName} · {t('case.reportedAt')}{' '}
            {time(c.reportedAt)}
            {c.expectedAt ? ` · ${t('citizen.expected')} ${time(c.expectedAt)}` : ''}
          </p>
          {c.own && <p>{c.own.description}</p>}
          {c.history && (
            <ol className="history">
              {c.history.map((h) => (
                <li key={`${h.at}-${h.action}`}>
                  <time dateTime={h.at}>{time(h.at)}</time> {h.label ?? h.action}
                </li>
              ))}
            </ol>
          )}
          {c.satisfaction && (
            <p>
              {t('case.satisfaction')}: {t(SATISFACTION_LABEL[c.satisfaction])}
            </p>
          )}
          {c.canRate && !done && (
            <form onSubmit={rate} aria-label={t('citizen.rate')}>
              <SatisfactionPicker value={satisfaction} onChange={setSatisfaction} />
              <ErrorNote error={error} />
              <button type="submit" className="primary">
                {t('citizen.rate')}
              </button>
            </form>
          )}
          {done && (
            <p className="notice ok" role="status">
              {t('citizen.thanks')}
            </p>
          )}
        </>
      )}
    </section>
  );
}

function MyReports({ onOpen, refreshKey }: { onOpen(ref: string): void; refreshKey: number }) {
  const { t, lang } = useI18n();
  const missing = useMissing(ENDPOINTS.citizenMine);
  const mine = useResource(
    (signal) =>
      api.get<CitizenCase[]>(ENDPOINTS.citizenMine.path, { signal, headers: { 'accept-language': lang } }),
    [refreshKey, lang],
    missing.length === 0,
  );
  return (
    <section aria-labelledby="mine-title">
      <h2 id="mine-title">{t('citizen.mine')}</h2>
      <WaitingForApi endpoints={missing} />
      <ErrorNote error={mine.error} />
      <ul className="plain">
        {(mine.data ?? []).map((c) => (
          <li key={c.number}>
            <button type="button" className="link" onClick={() => onOpen(c.number)} data-my-case={c.number}>
              {c.number}
            </button>{' '}
            <StateBadge state={c.state} /> {c.serviceName}
          </li>
        ))}
      </ul>
    </section>
  );
}
