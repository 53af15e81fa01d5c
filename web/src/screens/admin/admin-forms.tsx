/**
 * What the editable admin panels share: the actions of an editable table row, the save and
 * cancel buttons of its form, the options of a code picker, and the reading of a
 * comma-separated list of codes typed into a form.
 */
import type { LocalizedText } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';

/** The edit button and the two-step delete (ask, then confirm) of an editable table row. */
export function RowActions(props: {
  editLabel: string;
  deleteLabel: string;
  deleteText: string;
  confirmText: string;
  confirming: boolean;
  onEdit(): void;
  onAskDelete(): void;
  onDelete(): void;
}) {
  const { t } = useI18n();
  return (
    <td className="row-actions">
      <button type="button" aria-label={props.editLabel} onClick={props.onEdit}>
        {t('admin.edit')}
      </button>{' '}
      {props.confirming ? (
        <button type="button" onClick={props.onDelete}>
          {props.confirmText}
        </button>
      ) : (
        <button type="button" aria-label={props.deleteLabel} onClick={props.onAskDelete}>
          {props.deleteText}
        </button>
      )}
    </td>
  );
}

/** The submit button of a create-or-edit form, and the cancel button while editing. */
export function SaveOrCancel(props: { editing: boolean; saveText: string; onCancel(): void }) {
  const { t } = useI18n();
  return (
    <div className="row">
      <button type="submit" className="primary">
        {props.editing ? props.saveText : t('admin.create')}
      </button>
      {props.editing && (
        <button type="button" onClick={props.onCancel}>
          {t('admin.cancel')}
        </button>
      )}
    </div>
  );
}

/** One `<option>` per department or division: its code as the value, code and name as the text. */
export function CodeOptions(props: { items: ReadonlyArray<{ code: string; name: LocalizedText }> }) {
  const { loc } = useI18n();
  return props.items.map((item) => (
    <option key={item.code} value={item.code}>
      {item.code} {loc(item.name)}
    </option>
  ));
}

/** The codes of a comma-separated form field, trimmed, blanks dropped. */
export const codesOf = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
