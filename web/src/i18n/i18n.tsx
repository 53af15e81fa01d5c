/**
 * Two languages, zh-CN (default) and en, switchable and remembered in localStorage.
 * Keys are the keys of `en.ts`; `zh-CN.ts` must have exactly the same ones (the type
 * checker and test/web/i18n.test.ts both enforce it).
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { LocalizedText } from '../api/types.ts';
import { en, type MessageKey } from './en.ts';
import { zhCN } from './zh-CN.ts';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export type { MessageKey };

const LANG_KEY = 'onecity.lang';
const DICTIONARIES: Record<Language, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

interface I18n {
  lang: Language;
  setLang(lang: Language): void;
  t: Translate;
  /** The name in the current language. */
  loc(text: LocalizedText | string | null | undefined): string;
  /** A date/time in the current language. */
  time(iso: string | null | undefined): string;
  number(n: number, digits?: number): string;
}

function initialLanguage(): Language {
  const saved = localStorage.getItem(LANG_KEY);
  return saved === 'en' || saved === 'zh-CN' ? saved : 'zh-CN';
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Language>(initialLanguage);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const setLang = useCallback((next: Language) => {
    localStorage.setItem(LANG_KEY, next);
    setLangState(next);
  }, []);
  const value = useMemo<I18n>(() => {
    const dict = DICTIONARIES[lang];
    const t: Translate = (key, params) => {
      const text = dict[key] ?? key;
      return params
        ? text.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m))
        : text;
    };
    const dateFormat = new Intl.DateTimeFormat(lang, { dateStyle: 'short', timeStyle: 'short' });
    return {
      lang,
      setLang,
      t,
      loc: (text) => (text == null ? '' : typeof text === 'string' ? text : (text[lang] ?? text['zh-CN'])),
      time: (iso) => (iso ? dateFormat.format(new Date(iso)) : '—'),
      number: (n, digits = 0) =>
        new Intl.NumberFormat(lang, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(
          n,
        ),
    };
  }, [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}
