import { Role } from '../../src/modules/team/role';
import type { TestApp, TestUser } from './app';

export const ARTICLE_TEXT = [
  'The city council approved a budget of $4.2 million on Tuesday, Mayor Ana Ruiz said.',
  '‘We have never spent more on schools,’ Ruiz told reporters.',
  'One council member, who requested anonymity, said the figures were inflated.',
  'Unemployment fell to 3.1% last year, the lowest since 1999.',
].join('\n');

export interface Desk {
  owner: TestUser;
  editor: TestUser;
  reviewer: TestUser;
  reviewer2: TestUser;
  viewer: TestUser;
  outsider: TestUser;
  teamId: string;
  teamSlug: string;
}

let deskCount = 0;

/** A team with one member of each role, and an outsider who belongs to another team. */
export async function createDesk(app: TestApp, options: { quorum?: number } = {}): Promise<Desk> {
  deskCount += 1;
  const owner = await app.user('Owner');
  const slug = `desk-${deskCount}-${owner.id.slice(0, 8)}`;
  const data = await app.ok(owner, `mutation($input: CreateTeamInput!) { createTeam(input: $input) { team { id slug } } }`, {
    input: { slug, name: `Desk ${deskCount}`, verdictQuorum: options.quorum ?? 2 },
  });
  const teamId = data.createTeam.team.id as string;
  const editor = await app.user('Editor');
  const reviewer = await app.user('Reviewer');
  const reviewer2 = await app.user('Reviewer Two');
  const viewer = await app.user('Viewer');
  await app.addMember(teamId, editor, Role.EDITOR);
  await app.addMember(teamId, reviewer, Role.REVIEWER);
  await app.addMember(teamId, reviewer2, Role.REVIEWER);
  await app.addMember(teamId, viewer, Role.VIEWER);
  const outsider = await app.user('Outsider');
  await app.ok(outsider, `mutation($input: CreateTeamInput!) { createTeam(input: $input) { team { id } } }`, {
    input: { slug: `other-${deskCount}-${outsider.id.slice(0, 8)}`, name: 'Another desk' },
  });
  return { owner, editor, reviewer, reviewer2, viewer, outsider, teamId, teamSlug: slug };
}

export async function createArticle(app: TestApp, desk: Desk, overrides: Record<string, unknown> = {}): Promise<{ id: string; revisionId: string }> {
  const data = await app.ok(
    desk.editor,
    `mutation($input: CreateArticleInput!) {
      createArticle(input: $input) { article { id } revision { id } }
    }`,
    {
      input: {
        teamId: desk.teamId,
        title: 'Council approves record budget',
        url: 'https://news.example.com/budget',
        outlet: 'Example News',
        byline: 'J. Doe',
        publishedAt: '2026-03-01T10:00:00Z',
        language: 'en',
        text: ARTICLE_TEXT,
        // tests make many articles from this one text; the duplicate check has tests of its own
        allowDuplicate: true,
        ...overrides,
      },
    },
  );
  return { id: data.createArticle.article.id, revisionId: data.createArticle.revision.id };
}

export async function createClaim(
  app: TestApp,
  desk: Desk,
  articleId: string,
  exact: string,
  extra: Record<string, unknown> = {},
): Promise<{ id: string; version: number }> {
  const data = await app.ok(desk.editor, `mutation($input: CreateClaimInput!) { createClaim(input: $input) { claim { id version } } }`, {
    input: { articleId, anchor: { quote: { exact } }, kind: 'ASSERTION', ...extra },
  });
  return data.createClaim.claim;
}

/** Row counts of every table, to prove a rejected write changed nothing. */
export async function tableCounts(app: TestApp): Promise<Record<string, number>> {
  const rows = await app.sql<{ name: string; count: string }>(`
    SELECT 'teams' AS name, count(*) FROM teams UNION ALL SELECT 'users', count(*) FROM users
    UNION ALL SELECT 'memberships', count(*) FROM memberships UNION ALL SELECT 'articles', count(*) FROM articles
    UNION ALL SELECT 'article_revisions', count(*) FROM article_revisions UNION ALL SELECT 'sources', count(*) FROM sources
    UNION ALL SELECT 'claims', count(*) FROM claims UNION ALL SELECT 'evidence', count(*) FROM evidence
    UNION ALL SELECT 'verdicts', count(*) FROM verdicts UNION ALL SELECT 'history_events', count(*) FROM history_events`);
  return Object.fromEntries(rows.map((row) => [row.name, Number(row.count)]));
}

/** State of every mutable table (not just counts): a rejected write must leave all of it as it was. */
export async function databaseFingerprint(app: TestApp): Promise<string> {
  const tables = [
    'teams',
    'memberships',
    'articles',
    'article_revisions',
    'sources',
    'claims',
    'evidence',
    'verdicts',
    'comments',
    'assignments',
    'history_events',
  ];
  const parts: string[] = [];
  for (const table of tables) {
    const [row] = await app.sql<{ digest: string }>(`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM ${table} t`);
    parts.push(`${table}:${row.digest}`);
  }
  return parts.join(',');
}

/** The database id inside a global ID, for assertions on rows. */
export const rawId = (globalId: string): string => Buffer.from(globalId, 'base64url').toString('utf8').split(':')[1];
