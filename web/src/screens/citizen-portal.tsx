/**
 * The citizen portal (public): report a problem with a map pin, a category from the
 * catalogue and a photo; follow a case by its number or token; rate it after closure.
 *
 * Uses the citizen API of the participation capability when the server has it; a signed-in
 * citizen can otherwise report and rate through the native case API (their own cases).
 */
import { type FormEvent, useState } from 'react';
import { useApiCatalog } from '../api/catalog.tsx';
import { api } from '../api/client.ts';
import { ENDPOINTS, pathOf } from '../api/endpoints.ts';
import { actOnCase, getCase, listCases } from '../api/queries.ts';
import type { CaseView, Satisfaction } from '../api/types.ts';
import { useResource } from '../api/use-resource.ts';
import { StateBadge } from '../components/badges.tsx';
import { SatisfactionPicker } from '../components/case-drawer.tsx';
import { type ReportInput, ReportForm } from '../components/report-form.tsx';
import { ErrorNote, WaitingForApi } from '../components/waiting-for-api.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';
import { useSession } from '../session/session.tsx';

interface Followed {
  ref: string;
  c: CaseView;
}

export function CitizenPortal() {
  const { t } = useI18n();
  const catalog = useApiCatalog();
  const { me, can } = useSession();
  const citizenApi = catalog.has(ENDPOINTS.citizenReport);
  const nativeReport = Boolean(me) && can('case.report') && catalog.has(ENDPOINTS.caseCreate);
  const [receipt, setReceipt] = useState<{ number: string; token?: string } | null>(null);
  const [followed, setFollowed] = useState<Followed | null>(null);

  const submit = async (input: ReportInput) => {
    const body = {
      category: input.category,
      description: input.description,
      location: { lat: input.lat, lon: input.lon },
      address: input.address || undefined,
      media: input.photo ? [input.photo] : [],
      clientRequestId: crypto.randomUUID(),
    };
    const c = citizenApi
      ? await api.post<CaseView & { token?: string }>(ENDPOINTS.citizenReport.path, body)
      : await api.post<CaseView & { token?: string }>(ENDPOINTS.caseCreate.path, { ...body, channel: 'web' });
    setReceipt({ number: c.number, token: c.token });
  };

  return (
    <div className="workspace phone citizen">
      <h1>{t('nav.citizen')}</h1>
      {!citizenApi && catalog.loaded && (
        <WaitingForApi
          endpoints={[ENDPOINTS.citizenReport, ENDPOINTS.citizenFollow, ENDPOINTS.citizenRate]}
        />
      )}
      {!citizenApi && !nativeReport && catalog.loaded && (
        <p className="notice">
          {t('citizen.signInToReport')} <Link href="/login">{t('nav.login')}</Link>
        </p>
      )}
      {receipt && (
        <p className="notice ok" role="status" data-receipt={receipt.number}>
          {t('report.created', { number: receipt.number })}
          {receipt.token ? ` ${t('citizen.token', { token: receipt.token })}` : ''}
        </p>
      )}
      {(citizenApi || nativeReport) && <ReportForm title={t('citizen.report')} submit={submit} compact />}
      <FollowForm onFound={setFollowed} />
      {followed && <FollowedCase followed={followed} onChanged={(c) => setFollowed({ ...followed, c })} />}
      {me && nativeReport && <MyCases onOpen={(c) => setFollowed({ ref: c.number, c })} />}
    </div>
  );
}

function FollowForm({ onFound }: { onFound(f: Followed): void }) {
  const { t } = useI18n();
  const catalog = useApiCatalog();
  const { me } = useSession();
  const [ref, setRef] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const canFollow = catalog.has(ENDPOINTS.citizenFollow) || (me && catalog.has(ENDPOINTS.cases));
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      if (catalog.has(ENDPOINTS.citizenFollow)) {
        onFound({ ref, c: await api.get<CaseView>(pathOf(ENDPOINTS.citizenFollow, { ref: ref.trim() })) });
      } else {
        onFound({ ref, c: await getCase(ref.trim()) });
      }
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <form onSubmit={onSubmit} className="follow" aria-labelledby="follow-title">
      <h2 id="follow-title">{t('citizen.follow')}</h2>
      <div className="row">
        <div className="field">
          <label htmlFor="follow-ref">{t('citizen.numberOrToken')}</label>
          <input id="follow-ref" value={ref} onChange={(e) => setRef(e.target.value)} required />
        </div>
        <button type="submit" disabled={!canFollow}>
          {t('citizen.find')}
        </button>
      </div>
      <ErrorNote error={error} />
    </form>
  );
}

function FollowedCase({ followed, onChanged }: { followed: Followed; onChanged(c: CaseView): void }) {
  const { t, time } = useI18n();
  const catalog = useApiCatalog();
  const { me } = useSession();
  const [satisfaction, setSatisfaction] = useState<Satisfaction>('satisfied');
  const [error, setError] = useState<Error | null>(null);
  const [done, setDone] = useState(false);
  const { c } = followed;
  const rate = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      if (catalog.has(ENDPOINTS.citizenRate))
        await api.post(pathOf(ENDPOINTS.citizenRate, { ref: followed.ref }), { satisfaction });
      else await actOnCase(c, 'evaluate', { satisfaction });
      setDone(true);
      onChanged(
        me && catalog.has(ENDPOINTS.caseOne)
          ? await getCase(c.id)
          : { ...c, state: 'evaluated', satisfaction },
      );
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <section className="followed" aria-labelledby="followed-title" data-followed={c.number}>
      <h2 id="followed-title">
        {t('case.title')} {c.number}
      </h2>
      <p>
        <StateBadge state={c.state} /> · {t('case.reportedAt')} {time(c.reportedAt)}
      </p>
      <p>{c.description}</p>
      {c.state === 'closed' && !done && (
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
    </section>
  );
}

function MyCases({ onOpen }: { onOpen(c: CaseView): void }) {
  const { t } = useI18n();
  const mine = useResource((s) => listCases({ limit: 50 }, s), []);
  return (
    <section aria-labelledby="mine-title">
      <h2 id="mine-title">{t('citizen.mine')}</h2>
      <ErrorNote error={mine.error} />
      <ul className="plain">
        {(mine.data?.items ?? []).map((c) => (
          <li key={c.id}>
            <button type="button" className="link" onClick={() => onOpen(c)} data-my-case={c.number}>
              {c.number}
            </button>{' '}
            <StateBadge state={c.state} /> {c.description}
          </li>
        ))}
      </ul>
    </section>
  );
}
