// The states named in the Agreement's signature block, with the data the
// software needs about each of them (Russian names for R19, local time zone
// of the central body for R12.a day counting).
import { localDate, type IsoDate } from './dates.js';

export const SIGNATORY_CODES = ['AZ', 'AM', 'BY', 'KZ', 'KG', 'MD', 'RU', 'TJ', 'TM', 'UZ', 'UA'] as const;
export type SignatoryCode = (typeof SIGNATORY_CODES)[number];

/** Any Party: a signatory or a state that accedes later (ISO 3166-1 alpha-2). */
export type PartyCode = string;

export const PARTY_CODE = /^[A-Z]{2}$/;

export interface PartyInfo {
  code: SignatoryCode;
  nameRu: string;
  /** The short name in the genitive («узел Казахстана»). */
  nameGenRu: string;
  /** Full name as written in the signature block of the Agreement. */
  fullNameRu: string;
  /** Default time zone of the Party's central body (a body may override it). */
  timeZone: string;
  /** National currency (ISO 4217): the default for amounts an answering body reports. */
  currency: string;
}

export const PARTIES: Readonly<Record<SignatoryCode, PartyInfo>> = {
  AZ: {
    code: 'AZ',
    nameRu: 'Азербайджан',
    nameGenRu: 'Азербайджана',
    fullNameRu: 'Азербайджанская Республика',
    timeZone: 'Asia/Baku',
    currency: 'AZN',
  },
  AM: {
    code: 'AM',
    nameRu: 'Армения',
    nameGenRu: 'Армении',
    fullNameRu: 'Республика Армения',
    timeZone: 'Asia/Yerevan',
    currency: 'AMD',
  },
  BY: {
    code: 'BY',
    nameRu: 'Беларусь',
    nameGenRu: 'Беларуси',
    fullNameRu: 'Республика Беларусь',
    timeZone: 'Europe/Minsk',
    currency: 'BYN',
  },
  KZ: {
    code: 'KZ',
    nameRu: 'Казахстан',
    nameGenRu: 'Казахстана',
    fullNameRu: 'Республика Казахстан',
    timeZone: 'Asia/Almaty',
    currency: 'KZT',
  },
  KG: {
    code: 'KG',
    nameRu: 'Кыргызстан',
    nameGenRu: 'Кыргызстана',
    fullNameRu: 'Кыргызская Республика',
    timeZone: 'Asia/Bishkek',
    currency: 'KGS',
  },
  MD: {
    code: 'MD',
    nameRu: 'Молдова',
    nameGenRu: 'Молдовы',
    fullNameRu: 'Республика Молдова',
    timeZone: 'Europe/Chisinau',
    currency: 'MDL',
  },
  RU: {
    code: 'RU',
    nameRu: 'Россия',
    nameGenRu: 'России',
    fullNameRu: 'Российская Федерация',
    timeZone: 'Europe/Moscow',
    currency: 'RUB',
  },
  TJ: {
    code: 'TJ',
    nameRu: 'Таджикистан',
    nameGenRu: 'Таджикистана',
    fullNameRu: 'Республика Таджикистан',
    timeZone: 'Asia/Dushanbe',
    currency: 'TJS',
  },
  TM: {
    code: 'TM',
    nameRu: 'Туркменистан',
    nameGenRu: 'Туркменистана',
    fullNameRu: 'Туркменистан',
    timeZone: 'Asia/Ashgabat',
    currency: 'TMT',
  },
  UZ: {
    code: 'UZ',
    nameRu: 'Узбекистан',
    nameGenRu: 'Узбекистана',
    fullNameRu: 'Республика Узбекистан',
    timeZone: 'Asia/Tashkent',
    currency: 'UZS',
  },
  UA: {
    code: 'UA',
    nameRu: 'Украина',
    nameGenRu: 'Украины',
    fullNameRu: 'Украина',
    timeZone: 'Europe/Kyiv',
    currency: 'UAH',
  },
};

/** The national currency of a Party (ISO 4217), null for a Party not in the table. */
export function partyCurrency(code: string): string | null {
  return isSignatory(code) ? PARTIES[code].currency : null;
}

export function isSignatory(code: string): code is SignatoryCode {
  return (SIGNATORY_CODES as readonly string[]).includes(code);
}

/** The time zone of a Party's central body (UTC for a Party not in the table): the Party's local day. */
export function partyTimeZone(code: string): string {
  return isSignatory(code) ? PARTIES[code].timeZone : 'UTC';
}

/**
 * The local day of a Party at an instant: the one "today" of every rule that
 * speaks of a day (R12.a receipt and deadline, R12.b, R12.c overdue and delay
 * dates, R-pair, the request's date, R7.c). A body with a time zone of its own
 * (a Party spanning several zones) counts in that zone.
 */
export function partyDay(instant: Date, party: PartyCode, bodyTimeZone?: string | null): IsoDate {
  return localDate(instant, bodyTimeZone ?? partyTimeZone(party));
}
