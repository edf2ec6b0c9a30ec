import type { FormattedExecutionResult } from 'graphql';

/**
 * A value of a GraphQL result that is already JSON text (a root field Postgres answered in full:
 * src/http/sql-selection.ts). `stringifyResult` writes the text into the HTTP response as it is,
 * instead of parsing it only to serialise it again (bench/README.md); any other serialiser (`JSON.stringify`) gets the parsed value.
 */
export class RawJson {
  constructor(readonly text: string) {}

  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}

/**
 * Apollo's `stringifyResult` (its default is `JSON.stringify(result) + '\n'`), with the root
 * fields of `data` that are RawJson written as their text.
 */
export function stringifyResult(result: FormattedExecutionResult): string {
  const data = result.data as Record<string, unknown> | null | undefined;
  if (!data || !Object.values(data).some((value) => value instanceof RawJson)) return `${JSON.stringify(result)}\n`;
  const parts: string[] = [];
  for (const [key, value] of Object.entries(result)) {
    if (value === undefined) continue;
    if (key !== 'data') {
      parts.push(`${JSON.stringify(key)}:${JSON.stringify(value)}`);
      continue;
    }
    const fields = Object.entries(data).map(([field, item]) => `${JSON.stringify(field)}:${item instanceof RawJson ? item.text : JSON.stringify(item)}`);
    parts.push(`"data":{${fields.join(',')}}`);
  }
  return `{${parts.join(',')}}\n`;
}
