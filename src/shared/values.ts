import { badInput } from './errors';

/** http(s) URLs only; graphql-scalars' URL accepts any scheme (javascript:, file:). */
export function httpUrl(value: URL | string | null | undefined, field: string): string | null {
  if (value == null) return null;
  let url: URL;
  try {
    url = value instanceof URL ? value : new URL(value);
  } catch {
    throw badInput(`${field} is not a valid URL`, field);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badInput(`${field} must be an http or https URL`, field);
  if (url.href.length > 2000) throw badInput(`${field} is longer than 2000 characters`, field);
  return url.href;
}

const LANGUAGE = /^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;

export function languageTag(value: string | null | undefined, field: string): string | null {
  if (value == null) return null;
  if (!LANGUAGE.test(value)) throw badInput(`${field} must be a BCP 47 language tag such as en or pt-BR`, field);
  return value;
}

export function validDate(value: Date | null | undefined, field: string): Date | null {
  if (value == null) return null;
  if (Number.isNaN(value.getTime())) throw badInput(`${field} is not a valid date`, field);
  return value;
}
