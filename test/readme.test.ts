import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { permissionTable } from '../src/modules/team/permissions';

const readme = fs.readFileSync(path.resolve(__dirname, '../README.md'), 'utf8');

describe('README.md', () => {
  it('shows the permission matrix the code enforces', () => {
    const section = readme.split('<!-- permissions:start -->')[1]?.split('<!-- permissions:end -->')[0]?.trim();
    expect(section).toBe(permissionTable());
  });

  it('documents every environment variable the configuration reads', () => {
    const source = fs.readFileSync(path.resolve(__dirname, '../src/config.ts'), 'utf8');
    const variables = new Set([...source.matchAll(/env(?:\.|, ')([A-Z][A-Z0-9_]+)/g)].map((match) => match[1]));
    expect(variables.size).toBeGreaterThan(8);
    for (const variable of variables) expect([variable, readme.includes(`\`${variable}\``)]).toEqual([variable, true]);
  });
});
