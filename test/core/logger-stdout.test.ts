/**
 * The logger's own destination: standard output, written synchronously, so the last line before a
 * process exits (a start-up failure, a fatal error) is not lost. Run in a process of its own that
 * exits right after logging, and which writes to standard output itself between two lines.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const script = `
import { writeSync } from 'node:fs';
import { createLogger } from './src/logger.ts';
const log = createLogger({ level: 'info', secrets: ['hunter2-secret'] });
log.info('first');
writeSync(1, 'written straight after\\n');
for (let i = 0; i < 200; i += 1) log.info({ i }, 'line with hunter2-secret');
log.fatal('last words');
process.exit(3);
`;

describe('the logger with no destination given', () => {
  it('writes every line to standard output before the process exits, scrubbed', async () => {
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd() });
    const failed = await run.then(() => null, (err: { code: number; stdout: string; stderr: string }) => err);
    expect(failed?.code).toBe(3);
    const [first, straight, ...rest] = failed!.stdout.trim().split('\n');
    // Written as it is logged: a line written to the same output right after comes after it.
    expect(JSON.parse(first!)).toMatchObject({ msg: 'first' });
    expect(straight).toBe('written straight after');
    const lines = rest.map((l) => JSON.parse(l) as { msg: string; i?: number; level: number });
    expect(lines).toHaveLength(201);
    expect(lines[0]).toMatchObject({ msg: 'line with [redacted]', i: 0, level: 30 });
    expect(lines.at(-1)).toMatchObject({ msg: 'last words', level: 60 });
    expect(failed!.stdout).not.toContain('hunter2-secret');
    expect(failed!.stderr).toBe('');
  }, 30_000);
});
