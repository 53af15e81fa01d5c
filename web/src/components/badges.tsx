/** Small visual labels: case state, SLA light, urgency. Colour is never the only signal. */
import type { CaseState, SlaLight, Urgency } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { LIGHT_LABEL, STATE_LABEL, URGENCY_LABEL } from '../i18n/labels.ts';
import { LIGHT_COLORS, STATE_COLORS } from '../map/map-style.ts';

export function StateBadge({ state }: { state: CaseState }) {
  const { t } = useI18n();
  return (
    <span
      className="badge"
      style={{ borderColor: STATE_COLORS[state], color: '#fff', background: STATE_COLORS[state] }}
    >
      {t(STATE_LABEL[state] ?? 'state.reported')}
    </span>
  );
}

export function LightDot({ light }: { light: SlaLight | null | undefined }) {
  const { t } = useI18n();
  const key = light ?? 'none';
  return (
    <span className="light">
      <span className="dot" style={{ background: LIGHT_COLORS[key] }} aria-hidden="true" />
      {t(LIGHT_LABEL[key])}
    </span>
  );
}

export function UrgencyLabel({ urgency }: { urgency: Urgency }) {
  const { t } = useI18n();
  return <span className={`urgency urgency-${urgency}`}>{t(URGENCY_LABEL[urgency])}</span>;
}
