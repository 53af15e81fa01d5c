/**
 * The case drawer: a case's details, its full history, and a form for each action the
 * user may take on it now. Escape closes it; focus moves into it when it opens.
 */
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useApiCatalog } from '../api/catalog.tsx';
import { ApiError } from '../api/client.ts';
import { ENDPOINTS } from '../api/endpoints.ts';
import { actOnCase, getCase, getHistory, listDepartments, resolveResponsibility } from '../api/queries.ts';
import type { CaseView, Department, HistoryEntry, Satisfaction } from '../api/types.ts';
import { SATISFACTION } from '../api/types.ts';
import { useResource } from '../api/use-resource.ts';
import { type ActionField, type CaseActionName, actionsFor, fieldsOf } from '../cases/case-actions.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { ACTION_LABEL, CHANNEL_LABEL, SATISFACTION_LABEL, STATE_LABEL } from '../i18n/labels.ts';
import { useSession } from '../session/session.tsx';
import { LightDot, StateBadge, UrgencyLabel } from './badges.tsx';
import { CaseMedia } from './case-media.tsx';
import { PhotoInput } from './photo-input.tsx';
import { ErrorNote } from './waiting-for-api.tsx';

export interface CaseDrawerProps {
  caseId: string;
  onClose(): void;
  /** Called with the case after an action succeeded. */
  onChanged?(c: CaseView): void;
  /** Limit the offered actions (a workspace shows its own track's). */
  only?: readonly CaseActionName[];
}

/** The case's media and the evidence cited by its actions (verification photos live there), once each. */
function mediaOf(c: CaseView, history: readonly HistoryEntry[]): string[] {
  const evidence = history.flatMap((h) =>
    Array.isArray(h.params?.evidence) ? (h.params.evidence as unknown[]).map(String) : [],
  );
  return [...new Set([...(c.media ?? []), ...evidence])];
}

export function CaseDrawer({ caseId, onClose, onChanged, only }: CaseDrawerProps) {
  const { t, time } = useI18n();
  const { me } = useSession();
  const catalog = useApiCatalog();
  const ref = useRef<HTMLElement>(null);
  const kase = useResource((signal) => getCase(caseId, signal), [caseId]);
  const history = useResource(
    (signal) => getHistory(caseId, signal),
    [caseId],
    catalog.has(ENDPOINTS.caseHistory),
  );
  const [action, setAction] = useState<CaseActionName | null>(null);

  useEffect(() => {
    ref.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const c = kase.data;
  const actions = c && me ? actionsFor(c, me.roles).filter((a) => !only || only.includes(a)) : [];

  return (
    <aside className="drawer" ref={ref} tabIndex={-1} aria-labelledby="drawer-title" data-case-drawer>
      <header className="drawer-head">
        <h2 id="drawer-title">
          {t('case.title')} {c?.number ?? ''}
        </h2>
        <button type="button" onClick={onClose} aria-label={t('common.close')}>
          ×
        </button>
      </header>
      <ErrorNote error={kase.error} />
      {c && (
        <>
          <dl className="facts">
            <dt>{t('case.state')}</dt>
            <dd>
              <StateBadge state={c.state} />
            </dd>
            <dt>{t('case.light')}</dt>
            <dd>
              <LightDot light={c.light} />
            </dd>
            <dt>{t('case.urgency')}</dt>
            <dd>
              <UrgencyLabel urgency={c.urgency} />
            </dd>
            <dt>{t('case.category')}</dt>
            <dd>{c.category}</dd>
            <dt>{t('case.channel')}</dt>
            <dd>{t(CHANNEL_LABEL[c.channel] ?? 'channel.web')}</dd>
            <dt>{t('case.location')}</dt>
            <dd>
              {c.location.address ?? `${c.location.lat.toFixed(5)}, ${c.location.lon.toFixed(5)}`}
              {c.divisions?.grid ? ` · ${t('case.grid')} ${c.divisions.grid}` : ''}
            </dd>
            <dt>{t('case.lead')}</dt>
            <dd>
              {c.leadDepartment ?? '—'}
              {c.assistDepartments?.length ? ` + ${c.assistDepartments.join(', ')}` : ''}
            </dd>
            {c.responsibility?.ruleId && (
              <>
                <dt>{t('case.rule')}</dt>
                <dd>
                  {c.responsibility.ruleId} (v{String(c.responsibility.listVersion)})
                  {c.responsibility.override ? ` · ${t('case.override')}` : ''}
                </dd>
              </>
            )}
            <dt>{t('case.deadline')}</dt>
            <dd>{time(c.stage?.deadline)}</dd>
            <dt>{t('case.reportedAt')}</dt>
            <dd>{time(c.reportedAt)}</dd>
            {c.satisfaction && (
              <>
                <dt>{t('case.satisfaction')}</dt>
                <dd>{t(SATISFACTION_LABEL[c.satisfaction])}</dd>
              </>
            )}
          </dl>
          <p className="description">{c.description}</p>
          <CaseMedia refs={mediaOf(c, history.data ?? [])} caseId={c.id} />
          {c.linkage && c.linkage.length > 0 && (
            <section>
              <h3>{t('linkage.title')}</h3>
              <ul className="plain">
                {c.linkage.map((l) => (
                  <li key={`${l.whistleId}-${l.department}`}>
                    {l.department} · {t('linkage.deadline')} {time(l.deadline)} ·{' '}
                    {l.reportedInAt
                      ? t('linkage.reportedIn')
                      : l.missed
                        ? t('linkage.missed')
                        : t('linkage.waiting')}
                  </li>
                ))}
              </ul>
            </section>
          )}
          {actions.length > 0 && (
            <section aria-labelledby="actions-title">
              <h3 id="actions-title">{t('case.actions')}</h3>
              <div className="action-buttons">
                {actions.map((a) => (
                  <button
                    type="button"
                    key={a}
                    aria-pressed={action === a}
                    onClick={() => setAction(action === a ? null : a)}
                    data-action={a}
                  >
                    {t(ACTION_LABEL[a])}
                  </button>
                ))}
              </div>
              {action && (
                <ActionForm
                  key={action}
                  kase={c}
                  action={action}
                  onDone={(updated) => {
                    setAction(null);
                    kase.reload();
                    history.reload();
                    onChanged?.(updated);
                  }}
                />
              )}
            </section>
          )}
          <section aria-labelledby="history-title">
            <h3 id="history-title">{t('case.history')}</h3>
            <ol className="history">
              {(history.data ?? []).map((h) => (
                <li key={h.seq}>
                  <time dateTime={h.at}>{time(h.at)}</time> <strong>{h.action}</strong>{' '}
                  {h.toState ? `→ ${t(STATE_LABEL[h.toState] ?? 'state.reported')}` : ''} · {h.actor}
                  {typeof h.params?.reason === 'string' ? ` · ${h.params.reason}` : ''}
                  {typeof h.params?.note === 'string' ? ` · ${h.params.note}` : ''}
                </li>
              ))}
            </ol>
          </section>
        </>
      )}
    </aside>
  );
}

interface ActionFormProps {
  kase: CaseView;
  action: CaseActionName;
  onDone(c: CaseView): void;
}

/** The fields an action asks for, then one POST with the case's version. */
function ActionForm({ kase, action, onDone }: ActionFormProps) {
  const { t, loc } = useI18n();
  const catalog = useApiCatalog();
  const fields = fieldsOf(action);
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const [evidence, setEvidence] = useState<string | null>(null);
  const [minutes, setMinutes] = useState(1440);
  const [approve, setApprove] = useState(true);
  const [result, setResult] = useState<'pass' | 'fail'>('pass');
  const [satisfaction, setSatisfaction] = useState<Satisfaction>('satisfied');
  const [override, setOverride] = useState(false);
  const [lead, setLead] = useState('');
  const [into, setInto] = useState(kase.duplicateCandidates?.[0]?.id ?? '');
  const [departments, setDepartments] = useState<string[]>([]);
  const [rating, setRating] = useState(5);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const needsDepartments =
    fields.includes('override') || fields.includes('departments') || fields.includes('rating');
  const depts = useResource<Department[]>(
    (signal) => listDepartments(signal),
    [],
    needsDepartments && catalog.has(ENDPOINTS.departments),
  );

  const has = (f: ActionField) => fields.includes(f);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const params: Record<string, unknown> = {};
    if (has('reason') || (has('override') && override)) params.reason = reason;
    if (has('note') && note) params.note = note;
    if (has('evidence') && evidence) params.evidence = [evidence];
    if (has('minutes')) params.minutes = minutes;
    if (has('approve')) params.approve = approve;
    if (has('result')) params.result = result;
    if (has('satisfaction')) params.satisfaction = satisfaction;
    if (has('override') && override) params.lead = lead;
    if (has('into')) params.into = into;
    if (has('departments')) params.departments = departments;
    if (has('rating')) {
      params.department = departments[0];
      params.rating = rating;
    }
    try {
      onDone(await actOnCase(kase, action, params));
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 409 ? new Error(t('case.conflict')) : (err as Error),
      );
    } finally {
      setBusy(false);
    }
  };
  const suggestion = useResource(
    (signal) =>
      resolveResponsibility(kase.category, kase.divisions?.grid ?? kase.divisions?.district ?? null, signal),
    [kase.id],
    has('override') && catalog.has(ENDPOINTS.responsibilityResolve),
  );
  const deptOptions = depts.data ?? [];
  const deptSelect = (id: string, value: string, onChange: (v: string) => void, label: string) => (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {deptOptions.length ? (
        <select id={id} value={value} onChange={(e) => onChange(e.target.value)} required>
          <option value="">—</option>
          {deptOptions.map((d) => (
            <option key={d.code} value={d.code}>
              {loc(d.name)} ({d.code})
            </option>
          ))}
        </select>
      ) : (
        <input id={id} value={value} onChange={(e) => onChange(e.target.value)} required />
      )}
    </div>
  );

  return (
    <form className="action-form" onSubmit={submit} aria-label={t(ACTION_LABEL[action])}>
      {has('override') && (
        <>
          <p className="suggestion" data-suggestion>
            {t('dispatch.suggestion')}:{' '}
            <strong>{suggestion.data?.lead ?? kase.leadDepartment ?? t('dispatch.noSuggestion')}</strong>
            {suggestion.data?.assist.length ? ` + ${suggestion.data.assist.join(', ')}` : ''}
            {suggestion.data && (
              <>
                {' · '}
                {t('case.rule')} {suggestion.data.ruleId ?? '—'} ({suggestion.data.source}, v
                {suggestion.data.listVersion})
              </>
            )}
          </p>
          <ErrorNote error={suggestion.error} />
          <div className="field checkbox">
            <input
              id="f-override"
              type="checkbox"
              checked={override}
              onChange={(e) => setOverride(e.target.checked)}
            />
            <label htmlFor="f-override">{t('dispatch.override')}</label>
          </div>
          {override && deptSelect('f-lead', lead, setLead, t('dispatch.lead'))}
        </>
      )}
      {(has('reason') || (has('override') && override)) && (
        <div className="field">
          <label htmlFor="f-reason">{t('form.reason')}</label>
          <textarea id="f-reason" value={reason} onChange={(e) => setReason(e.target.value)} required />
        </div>
      )}
      {has('result') && (
        <fieldset className="field">
          <legend>{t('form.result')}</legend>
          <label>
            <input
              type="radio"
              name="result"
              checked={result === 'pass'}
              onChange={() => setResult('pass')}
            />
            {t('form.pass')}
          </label>
          <label>
            <input
              type="radio"
              name="result"
              checked={result === 'fail'}
              onChange={() => setResult('fail')}
            />
            {t('form.fail')}
          </label>
        </fieldset>
      )}
      {has('note') && (
        <div className="field">
          <label htmlFor="f-note">{t('form.note')}</label>
          <textarea
            id="f-note"
            value={note}
            onChange={(e) => setNote(e.target.value)}
            required={action !== 'verify' || result === 'fail'}
          />
        </div>
      )}
      {has('evidence') && (
        <PhotoInput
          label={t('form.photo')}
          value={evidence}
          onChange={setEvidence}
          required={action === 'handle'}
        />
      )}
      {has('minutes') && (
        <div className="field">
          <label htmlFor="f-minutes">{t('form.minutes')}</label>
          <input
            id="f-minutes"
            type="number"
            min={1}
            value={minutes}
            onChange={(e) => setMinutes(Number(e.target.value))}
            required
          />
        </div>
      )}
      {has('approve') && (
        <fieldset className="field">
          <legend>{t('form.decision')}</legend>
          <label>
            <input type="radio" name="approve" checked={approve} onChange={() => setApprove(true)} />
            {t('form.approve')}
          </label>
          <label>
            <input type="radio" name="approve" checked={!approve} onChange={() => setApprove(false)} />
            {t('form.refuse')}
          </label>
        </fieldset>
      )}
      {has('satisfaction') && <SatisfactionPicker value={satisfaction} onChange={setSatisfaction} />}
      {has('into') && (
        <div className="field">
          <label htmlFor="f-into">{t('form.mergeInto')}</label>
          <select id="f-into" value={into} onChange={(e) => setInto(e.target.value)} required>
            <option value="">—</option>
            {(kase.duplicateCandidates ?? []).map((d) => (
              <option key={d.id} value={d.id}>
                {d.number} ({Math.round(d.distanceMeters)} m)
              </option>
            ))}
          </select>
        </div>
      )}
      {has('departments') && (
        <div className="field">
          <label htmlFor="f-departments">{t('form.departments')}</label>
          <select
            id="f-departments"
            multiple
            value={departments}
            onChange={(e) => setDepartments([...e.target.selectedOptions].map((o) => o.value))}
            required
          >
            {deptOptions.map((d) => (
              <option key={d.code} value={d.code}>
                {loc(d.name)}
              </option>
            ))}
          </select>
        </div>
      )}
      {has('rating') && (
        <>
          {deptSelect('f-rated', departments[0] ?? '', (v) => setDepartments([v]), t('form.department'))}
          <div className="field">
            <label htmlFor="f-rating">{t('form.rating')}</label>
            <input
              id="f-rating"
              type="number"
              min={1}
              max={5}
              value={rating}
              onChange={(e) => setRating(Number(e.target.value))}
            />
          </div>
        </>
      )}
      <ErrorNote error={error} />
      <button type="submit" className="primary" disabled={busy}>
        {t('form.submit')} · {t(ACTION_LABEL[action])}
      </button>
    </form>
  );
}

/** Satisfied / basically satisfied / unsatisfied as radio buttons. */
export function SatisfactionPicker({
  value,
  onChange,
}: {
  value: Satisfaction;
  onChange(v: Satisfaction): void;
}) {
  const { t } = useI18n();
  return (
    <fieldset className="field">
      <legend>{t('form.satisfaction')}</legend>
      {SATISFACTION.map((s) => (
        <label key={s}>
          <input type="radio" name="satisfaction" checked={value === s} onChange={() => onChange(s)} />
          {t(SATISFACTION_LABEL[s])}
        </label>
      ))}
    </fieldset>
  );
}
