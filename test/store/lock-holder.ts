/**
 * A process that tries to take an embedded-database directory's lock, for the lock tests: prints
 * one JSON line (`{"ok":true,"pid":…}` or `{"ok":false,"code":…,"message":…}`), then holds the
 * lock until it is killed, or exits at once with `--try` (releasing it on the way out).
 */
import { lockDataDir } from '../../src/adapters/postgres/data-dir-lock.js';
import { isFirebreakError } from '../../src/core/errors.js';

const [dir, mode] = process.argv.slice(2);
try {
  lockDataDir(dir as string, { onTakeover: (_previous, why) => process.stderr.write(`took over: ${why}\n`) });
  process.stdout.write(`${JSON.stringify({ ok: true, pid: process.pid })}\n`);
  if (mode !== '--try') setInterval(() => undefined, 60_000);
} catch (err) {
  process.stdout.write(`${JSON.stringify({ ok: false, code: isFirebreakError(err) ? err.code : 'ERROR', message: (err as Error).message })}\n`);
  process.exitCode = 1;
}
