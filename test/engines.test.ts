import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');

describe('npm install on Node 20', () => {
  it('installs no package whose engines exclude the oldest Node the project supports (no EBADENGINE warning)', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
    // the lowest version package.json's engines admit, e.g. 20.19.0 for ">=20.19"
    const oldest = semver.minVersion(manifest.engines.node)!.version;
    expect(oldest.startsWith('20.')).toBe(true);
    const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean }>;
    };
    const refusing = Object.entries(lock.packages)
      .filter(([name, entry]) => name !== '' && entry.engines && !Array.isArray(entry.engines) && entry.engines.node)
      .filter(([, entry]) => !semver.satisfies(oldest, (entry.engines as { node: string }).node, { includePrerelease: true }))
      .map(([name, entry]) => `${name} (${(entry.engines as { node: string }).node})`);
    expect(refusing).toEqual([]);
  });
});
