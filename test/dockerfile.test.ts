import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');

/** The instruction's arguments (continuation lines joined), of the last occurrence, as the image uses it. */
function lastInstruction(dockerfile: string, name: string): string | null {
  const lines = dockerfile.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  const found = lines.filter((line) => new RegExp(`^\\s*${name}\\s`, 'i').test(line));
  return found.length > 0 ? found[found.length - 1].trim().slice(name.length).trim() : null;
}

/**
 * Issue 14: `docker stop` sends SIGTERM to PID 1. With `CMD ["npm","start"]` (or a shell form,
 * which runs under /bin/sh -c) PID 1 is npm or a shell, and the server never drained. The fault
 * suite proves that node drains on SIGTERM (test/faults/shutdown.test.ts); this checks that in the
 * image node is the process that gets it.
 */
describe('Dockerfile', () => {
  const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');

  it('runs node itself as PID 1, in exec form, with the start script’s flags', () => {
    expect(lastInstruction(dockerfile, 'ENTRYPOINT')).toBeNull();
    const cmd = lastInstruction(dockerfile, 'CMD');
    expect(cmd).not.toBeNull();
    // exec form (a JSON array): the shell form runs under /bin/sh -c, which would be PID 1
    const argv = JSON.parse(cmd!) as string[];
    expect(argv[0]).toBe('node');
    const start = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start;
    // npm start `exec`s the same command line (README, "Shutdown and failures")
    expect(`exec ${argv.join(' ')}`).toBe(start);
  });

  it('does not run as root', () => {
    expect(lastInstruction(dockerfile, 'USER')).not.toMatch(/^(root|0)(:|$)/);
    expect(lastInstruction(dockerfile, 'USER')).not.toBeNull();
  });
});
