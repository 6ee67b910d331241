/**
 * The languages upstream 4.2.5 lists at `GET /api/locale/available` (its `active_languages.json`,
 * sorted by `lang_name`): facts of the API a client picks from. The translations themselves are
 * upstream's UI data and are not shipped (GET /api/locale answers null).
 */
export interface WgdLocale {
  lang_id: string;
  lang_name: string;
  lang_name_localized: string;
}

export const WGD_LOCALES: readonly WgdLocale[] = [
  { lang_id: 'ar-sa', lang_name: 'Arabic', lang_name_localized: 'العربية' },
  { lang_id: 'id', lang_name: 'Bahasa Indonesia', lang_name_localized: 'Bahasa Indonesia' },
  { lang_id: 'be', lang_name: 'Belarusian', lang_name_localized: 'Беларуская' },
  { lang_id: 'ca', lang_name: 'Catalan', lang_name_localized: 'Català' },
  { lang_id: 'zh-cn', lang_name: 'Chinese (Simplified)', lang_name_localized: '中文（简体）' },
  { lang_id: 'zh-hk', lang_name: 'Chinese (Traditional)', lang_name_localized: '中文（繁體）' },
  { lang_id: 'cs', lang_name: 'Czech', lang_name_localized: 'Česky' },
  { lang_id: 'nl-nl', lang_name: 'Dutch', lang_name_localized: 'Nederlands' },
  { lang_id: 'en', lang_name: 'English', lang_name_localized: 'English' },
  { lang_id: 'fa', lang_name: 'Farsi', lang_name_localized: 'فارسی' },
  { lang_id: 'fr-fr', lang_name: 'French (France)', lang_name_localized: 'Français (France)' },
  { lang_id: 'fr-ca', lang_name: 'French (Quebec)', lang_name_localized: 'Français (Québec)' },
  { lang_id: 'de-de', lang_name: 'German', lang_name_localized: 'Deutsch' },
  { lang_id: 'hu-hu', lang_name: 'Hungarian', lang_name_localized: 'Magyar' },
  { lang_id: 'it-it', lang_name: 'Italian', lang_name_localized: 'Italiano' },
  { lang_id: 'ja-jp', lang_name: 'Japanese', lang_name_localized: '日本語' },
  { lang_id: 'ko', lang_name: 'Korean', lang_name_localized: '한국어' },
  { lang_id: 'pl', lang_name: 'Polish', lang_name_localized: 'Polski' },
  { lang_id: 'pt-br', lang_name: 'Portuguese (Brazil)', lang_name_localized: 'Português (Brasil)' },
  { lang_id: 'ru', lang_name: 'Russian', lang_name_localized: 'Русский' },
  { lang_id: 'es-es', lang_name: 'Spanish', lang_name_localized: 'Español' },
  { lang_id: 'sv-se', lang_name: 'Swedish', lang_name_localized: 'Svenska' },
  { lang_id: 'th', lang_name: 'Thai', lang_name_localized: 'ภาษาไทย' },
  { lang_id: 'tr-tr', lang_name: 'Turkish', lang_name_localized: 'Türkçe' },
  { lang_id: 'uk', lang_name: 'Ukrainian', lang_name_localized: 'Українська' },
];

/** The id a client may choose; anything else falls back to English, as upstream does for an id without a file. */
export function knownLocaleId(candidate: unknown): string {
  return typeof candidate === 'string' && WGD_LOCALES.some((locale) => locale.lang_id === candidate) ? candidate : 'en';
}
