import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { parse } from 'csv-parse/sync';
import { createTestApp, type TestApp } from './support/app';
import { registerExportCommand } from '../src/cli/export.command';
import { buildReportDataset, publishClaim, type ReportDataset } from './report-fixture';

class Capture extends PassThrough {
  text = '';
  constructor(readonly isTTY: boolean) {
    super();
    this.on('data', (chunk: Buffer) => {
      this.text += chunk.toString('utf8');
    });
  }
  // what cli-progress asks of a terminal
  columns = 120;
  cursorTo(): boolean {
    return true;
  }
  clearLine(): boolean {
    return true;
  }
  moveCursor(): boolean {
    return true;
  }
}

describe(registerExportCommand.name, () => {
  let app: TestApp;
  let data: ReportDataset;
  let directory: string;
  const savedUrl = process.env.DATABASE_URL;

  beforeAll(async () => {
    app = await createTestApp();
    data = await buildReportDataset(app);
    await publishClaim(app, data.desk, data.claims.c1, 'TRUE');
    // the CLI opens its own connection from the environment, as `npm run cli` does
    process.env.DATABASE_URL = app.databaseUrl;
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'claimgraph-cli-'));
  });
  afterEach(() => {
    process.exitCode = undefined;
  });
  afterAll(async () => {
    process.env.DATABASE_URL = savedUrl;
    if (directory) fs.rmSync(directory, { recursive: true, force: true });
    await app?.close();
  });

  async function cli(args: string[], tty = false): Promise<{ stdout: string; stderr: string; exitCode: number | undefined }> {
    const stdout = new Capture(false);
    const stderr = new Capture(tty);
    const program = new Command('claimgraph').exitOverride().configureOutput({ writeErr: () => undefined });
    registerExportCommand(program, { stdout, stderr });
    await program.parseAsync(['export', ...args], { from: 'user' });
    const exitCode = process.exitCode as number | undefined;
    process.exitCode = undefined;
    return { stdout: stdout.text, stderr: stderr.text, exitCode };
  }

  it('writes the whole export to a file and says nothing when not on a terminal', async () => {
    const out = path.join(directory, 'report.csv');
    const result = await cli(['--format', 'csv', '--team', data.desk.teamSlug, '--status', 'SETTLED,DISPUTED', '--as', data.desk.viewer.email, '--out', out]);
    expect(result).toEqual({ stdout: '', stderr: '', exitCode: undefined });
    const records = parse(fs.readFileSync(out), { bom: true, columns: true }) as Record<string, string>[];
    expect(records.map((record) => record.status)).toEqual(['SETTLED', 'SETTLED', 'DISPUTED', 'DISPUTED', 'SETTLED']);
    expect(records[0]).toMatchObject({ quote: 'The city council approved a budget of $4.2 million on Tuesday', published_rating: 'TRUE' });
    expect(fs.readdirSync(directory)).toEqual(['report.csv']);
  });

  it('shows rows done, total and rate on a terminal', async () => {
    const out = path.join(directory, 'report.jsonl');
    const result = await cli(['--format', 'jsonl', '--team', data.desk.teamSlug, '--as', data.desk.viewer.email, '--out', out], true);
    expect(result.exitCode).toBeUndefined();
    expect(result.stderr).toMatch(/7\/7 rows \| [\d,]+ rows\/s/);
    expect(result.stderr).toContain(`wrote 7 rows to ${out}`);
    expect(fs.readFileSync(out, 'utf8').trimEnd().split('\n')).toHaveLength(7);
  });

  it('writes ClaimReview JSON-LD to standard output, acting with a token', async () => {
    const token = (await app.ok(data.desk.viewer, `mutation { createApiToken(input: { name: "cli" }) { token } }`)).createApiToken.token;
    const result = await cli([
      '--format',
      'claimreview',
      '--team',
      data.desk.teamId,
      '--include-settled',
      '--review-url',
      'https://desk.example.org/c/{id}',
      '--token',
      token,
      '--out',
      '-',
    ]);
    expect(result.exitCode).toBeUndefined();
    const document = JSON.parse(result.stdout);
    expect(document['@context']).toBe('https://schema.org');
    // c1 published; c2 and c5 settled
    expect(document['@graph'].map((review: any) => review.reviewRating.alternateName)).toEqual(['True', 'Mostly false', 'Mostly true']);
    expect(document['@graph'][0].url).toBe(`https://desk.example.org/c/${data.claims.c1}`);
  });

  it('refuses outsiders and bad filters with one line, leaving no file behind', async () => {
    const out = path.join(directory, 'refused.html');
    const outsider = await cli(['--format', 'html', '--team', data.desk.teamSlug, '--as', data.desk.outsider.email, '--out', out]);
    expect(outsider).toEqual({ stdout: '', stderr: 'error: Team not found\n', exitCode: 1 });
    const badStatus = await cli(['--format', 'html', '--team', data.desk.teamSlug, '--status', 'DONE', '--as', data.desk.viewer.email, '--out', out]);
    expect(badStatus.stderr).toMatch(/^error: status must be one of UNREVIEWED, IN_REVIEW, SETTLED, DISPUTED, NEEDS_REREVIEW; got "DONE"\n$/);
    expect(badStatus.exitCode).toBe(1);
    const nobody = await cli(['--format', 'csv', '--team', data.desk.teamSlug, '--out', out]);
    expect(nobody.stderr).toBe('error: Say who acts: --as <email> or --token <token>\n');
    const misplaced = await cli(['--format', 'csv', '--team', data.desk.teamSlug, '--include-settled', '--as', data.desk.viewer.email, '--out', out]);
    expect(misplaced.stderr).toBe('error: --include-settled applies to --format claimreview\n');
    const noDirectory = await cli([
      '--format',
      'csv',
      '--team',
      data.desk.teamSlug,
      '--as',
      data.desk.viewer.email,
      '--out',
      path.join(directory, 'missing', 'x.csv'),
    ]);
    expect(noDirectory.stderr).toBe(`error: No such directory: ${path.join(directory, 'missing')}\n`);
    await expect(cli(['--format', 'xlsx', '--team', 'x', '--out', out])).rejects.toThrow(/must be csv, jsonl, claimreview or html/);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(directory).filter((name) => name.includes('.partial-'))).toEqual([]);
  });
});
