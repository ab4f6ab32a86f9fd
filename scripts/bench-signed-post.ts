/**
 * One signed slash command posted to Firebreak's /slack/events, as Slack posts it: what both load
 * generators (bench-ack-load.ts, bench-soak-load.ts) send. Resolves with the answer's status once
 * its body is read; rejects as undici does (connection refused, reset, timeouts).
 */
import type { Pool } from 'undici';
import { signatureFor } from '../src/adapters/local-slack/driver.js';

export async function postSignedCommand(pool: Pool, signingSecret: string, body: string, timeoutMs: number): Promise<number> {
  const timestamp = Math.floor(Date.now() / 1000);
  const res = await pool.request({
    path: '/slack/events',
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signatureFor(signingSecret, timestamp, body),
    },
    body,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  await res.body.text();
  return res.statusCode;
}
