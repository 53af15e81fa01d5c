/**
 * GeoReport v2 services from the plate catalogues: every public minor class is a service
 * (`service_code` = category code), its major class is the `group`, its extra questions are
 * the service definition's attributes. Names follow the language asked for.
 */
import {
  type LocalizedText,
  type ModuleRegistry,
  NotFoundError,
  type RegisteredCategory,
} from '../kernel/index.ts';
import type { Open311Attribute, Open311Service, Open311ServiceDefinition } from './open311-documents.ts';

export type Language = keyof LocalizedText;
export const LANGUAGES: readonly Language[] = ['zh-CN', 'en'];
export const DEFAULT_LANGUAGE: Language = 'zh-CN';

/**
 * The best shipped language for an `Accept-Language` header (RFC 9110 q-values; a bare
 * `zh` or `zh-Hans` matches zh-CN, any `en-*` matches en); zh-CN when nothing matches.
 */
export function negotiateLanguage(header: string | undefined): Language {
  if (!header) return DEFAULT_LANGUAGE;
  const ranges = header
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find(Boolean);
      return { tag: tag.trim().toLowerCase(), q: q ? Number(q[1]) : 1, i };
    })
    .filter((r) => r.tag && r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { tag } of ranges) {
    if (tag === '*') return DEFAULT_LANGUAGE;
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return DEFAULT_LANGUAGE;
}

/** Whether citizens may report a category: public minor classes (plates say `public: false` to hide one). */
export function isPublicService(c: RegisteredCategory): boolean {
  return Boolean(c.parent) && c.public !== false;
}

const DATATYPE_DESCRIPTIONS: Record<Open311Attribute['datatype'], LocalizedText> = {
  string: { 'zh-CN': '一行文字', en: 'A line of text' },
  number: { 'zh-CN': '数字，如 12 或 3.5', en: 'A number such as 12 or 3.5' },
  datetime: {
    'zh-CN': '日期时间，ISO 8601 格式，如 2026-03-02T09:30:00+08:00',
    en: 'A date-time in ISO 8601, e.g. 2026-03-02T09:30:00+08:00',
  },
  text: { 'zh-CN': '多行文字', en: 'Free text over several lines' },
  singlevaluelist: { 'zh-CN': '从列表中选择一项（填写 key）', en: 'Choose one key from the list' },
  multivaluelist: {
    'zh-CN': '从列表中选择一项或多项（重复 attribute[CODE][]）',
    en: 'Choose one or more keys (repeat attribute[CODE][])',
  },
};

/** Lists the services of the catalogue in a language. */
export function listServices(modules: ModuleRegistry, lang: Language): Open311Service[] {
  return modules
    .categories()
    .filter(isPublicService)
    .map((c) => {
      const parent = c.parent ? modules.category(c.parent) : undefined;
      return {
        service_code: c.code,
        service_name: c.name[lang],
        description: parent ? `${parent.name[lang]} · ${c.name[lang]}` : null,
        metadata: (c.attributes?.length ?? 0) > 0,
        type: 'realtime' as const,
        keywords: c.keywords?.length ? c.keywords.join(',') : null,
        group: parent?.name[lang] ?? null,
      };
    });
}

/** A public service by code; NotFound otherwise (hidden categories look missing). */
export function findService(modules: ModuleRegistry, code: string): RegisteredCategory {
  const c = modules.category(code);
  if (!c || !isPublicService(c))
    throw new NotFoundError(`Service ${code} not found.`, 'open311.service_not_found', {
      service_code: code,
    });
  return c;
}

/** The service definition (attributes in their order) of a public service. */
export function serviceDefinition(
  modules: ModuleRegistry,
  code: string,
  lang: Language,
): Open311ServiceDefinition {
  const c = findService(modules, code);
  const attributes = [...(c.attributes ?? [])]
    .map((a, i) => ({ a, order: a.order ?? i + 1 }))
    .sort((x, y) => x.order - y.order)
    .map(
      ({ a, order }): Open311Attribute => ({
        variable: a.variable ?? true,
        code: a.code,
        datatype: a.datatype,
        required: a.required ?? false,
        datatype_description: DATATYPE_DESCRIPTIONS[a.datatype][lang],
        order,
        description: a.description[lang],
        ...(a.values ? { values: a.values.map((v) => ({ key: v.key, name: v.name[lang] })) } : {}),
      }),
    );
  return { service_code: c.code, attributes };
}

/** Localized name of a category (the code when unknown). */
export function categoryName(modules: ModuleRegistry, code: string, lang: Language): string {
  return modules.category(code)?.name[lang] ?? code;
}

/** Names of the departments the plates declare; other codes (core, district governments) map to themselves. */
export function departmentNames(modules: ModuleRegistry, lang: Language): Map<string, string> {
  const names = new Map<string, string>([
    ['supervision-center', lang === 'en' ? 'Supervision center' : '监督中心'],
    ['command-center', lang === 'en' ? 'Command center' : '指挥中心'],
  ]);
  for (const m of modules.modules) for (const d of m.departments ?? []) names.set(d.code, d.name[lang]);
  return names;
}

/** A department's display name, with district governments and street offices spelled out. */
export function departmentName(
  names: Map<string, string>,
  code: string | null,
  lang: Language,
): string | null {
  if (!code) return null;
  const known = names.get(code);
  if (known) return known;
  const gov = /^district-gov-(\d+)$/.exec(code);
  if (gov) return lang === 'en' ? `District government ${gov[1]}` : `区人民政府（${gov[1]}）`;
  const street = /^street-office-(\d+)$/.exec(code);
  if (street) return lang === 'en' ? `Street office ${street[1]}` : `街道办事处（${street[1]}）`;
  return code;
}
