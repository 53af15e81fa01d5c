import type { CategoryDeclaration, CategoryKind } from '#sdk';

/** What a major class sets for itself and, unless they override it, for its minor classes. */
type ClassSettings = Omit<CategoryDeclaration, 'code' | 'name' | 'kind' | 'classNumber' | 'parent'>;

/** A minor class: two-digit number, Chinese and English names, optional overrides. */
type MinorRow = readonly [classNumber: string, zh: string, en: string, overrides?: ClassSettings];

const PREFIX: Record<CategoryKind, string> = { component: 'CM.C', event: 'CM.E' };

/**
 * A major class (大类) and its minor classes (小类). Codes are `CM.C.<major>` /
 * `CM.C.<major>.<minor>` for components and `CM.E…` for events. Time limits stay on the
 * major class (the registry lets minor classes inherit them); default urgency and
 * responsibility are copied down so every class states its own.
 */
export function catalogueClass(
  kind: CategoryKind,
  classNumber: string,
  name: readonly [zh: string, en: string],
  settings: ClassSettings &
    Required<Pick<ClassSettings, 'defaultUrgency' | 'defaultResponsibility' | 'timeLimits'>>,
  minors: readonly MinorRow[],
): CategoryDeclaration[] {
  const code = `${PREFIX[kind]}.${classNumber}`;
  const { timeLimits, attributes: _attributes, keywords: _keywords, ...inherited } = settings;
  const major: CategoryDeclaration = {
    code,
    name: { 'zh-CN': name[0], en: name[1] },
    kind,
    classNumber,
    public: false,
    ...settings,
  };
  return [
    major,
    ...minors.map(
      ([minorNumber, zh, en, overrides]): CategoryDeclaration => ({
        code: `${code}.${minorNumber}`,
        name: { 'zh-CN': zh, en },
        kind,
        parent: code,
        classNumber: minorNumber,
        ...inherited,
        ...overrides,
      }),
    ),
  ];
}
