/**
 * Every length limit on text a client sends, once, in characters (Unicode code points: what
 * Postgres's length() counts). The column's CHECK in its migration, the service's check and
 * README's table all read it; test/text-limits.test.ts compares README and the migrated database
 * with it. The migration that created a CHECK reads the value only on a fresh database, so a
 * changed limit also needs a migration that alters the CHECK of existing ones.
 */
export interface TextLimit {
  max: number;
  /** What README's table calls it. */
  text: string;
  /** The columns whose CHECK holds the limit (`table.column`); none for text that is not stored. */
  columns: readonly string[];
}

export const TEXT_LIMITS = {
  name: { max: 200, text: "A person's, team's or API token's name", columns: ['users.name', 'teams.name', 'api_tokens.name'] },
  organizationName: { max: 200, text: "A team's publishing organisation name", columns: ['teams.organization_name'] },
  url: {
    max: 2000,
    text: "An organisation's URL or logo URL, a webhook endpoint's URL",
    columns: ['teams.organization_url', 'teams.organization_logo_url', 'webhook_endpoints.url'],
  },
  publicBaseUrl: { max: 1000, text: "A team's public base URL", columns: ['teams.public_base_url'] },
  title: { max: 500, text: "An article's title", columns: ['articles.title'] },
  outlet: { max: 200, text: "An article's outlet", columns: ['articles.outlet'] },
  byline: { max: 500, text: "An article's byline", columns: ['articles.byline'] },
  sourceName: { max: 300, text: "A source's name, title or affiliation", columns: ['sources.name', 'sources.title', 'sources.affiliation'] },
  descriptor: { max: 500, text: "A source's descriptor (how the text describes an anonymous one)", columns: ['sources.descriptor'] },
  via: { max: 300, text: "A claim's `via` (the channel extraction found)", columns: ['claims.via'] },
  note: { max: 10_000, text: "A claim's or evidence's note", columns: ['claims.note', 'evidence.note'] },
  reason: { max: 5000, text: 'The reason given for a change (history), a dispute', columns: ['history_events.reason', 'claims.disputed_reason'] },
  rationale: { max: 20_000, text: "A verdict's or publication's rationale", columns: ['verdicts.rationale', 'claims.published_rationale'] },
  quotedPassage: { max: 20_000, text: "Evidence's quoted passage", columns: ['evidence.quoted_passage'] },
  comment: { max: 20_000, text: 'A comment', columns: ['comments.body'] },
  webhookDescription: { max: 500, text: "A webhook endpoint's description", columns: ['webhook_endpoints.description'] },
  search: { max: 500, text: 'A search (`filter.search`, `filter.text`)', columns: [] },
} as const satisfies Record<string, TextLimit>;

/** README's table of text limits. */
export function textLimitTable(): string {
  return [
    '| text | at most (characters) |',
    '|---|---:|',
    ...Object.values(TEXT_LIMITS).map((limit: TextLimit) => `| ${limit.text} | ${limit.max.toLocaleString('en-US')} |`),
  ].join('\n');
}
