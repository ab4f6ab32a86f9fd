/**
 * The baseline of `npm run bench:ack`: a Bolt app that does nothing but acknowledge the slash
 * commands Firebreak serves. Same HTTP receiver (Bolt's HTTPReceiver on /slack/events, signature
 * checked), same signing secret, `processBeforeResponse: false` (the ack is sent as soon as the
 * listener calls it), an `authorize` that answers at once (as Firebreak's does), no store, no
 * follow-up work. Whatever Firebreak adds to the acknowledgement shows against this.
 *
 *   SLACK_SIGNING_SECRET=… PORT=0 node --import tsx scripts/bench-ack-bare-bolt.ts
 *
 * Prints one JSON line `{"msg":"bare bolt serving","port":…}` once it listens; stops on SIGTERM or SIGINT.
 */
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';

const signingSecret = process.env.SLACK_SIGNING_SECRET;
if (!signingSecret) {
  process.stderr.write('SLACK_SIGNING_SECRET is required\n');
  process.exit(2);
}

const receiver = new HTTPReceiver({ signingSecret, endpoints: ['/slack/events'], processBeforeResponse: false });
const app = new App({ receiver, authorize: async () => ({ botToken: 'xoxb-bare-bolt' }), logLevel: LogLevel.WARN });
for (const command of ['/incident', '/diag']) {
  app.command(command, async ({ ack }) => {
    await ack();
  });
}

const server = (await app.start(Number(process.env.PORT ?? 0))) as { address(): AddressInfo | string | null };
const address = server.address();
process.stdout.write(`${JSON.stringify({ msg: 'bare bolt serving', port: typeof address === 'object' && address ? address.port : null })}\n`);

let stopping = false;
const stop = () => {
  if (stopping) process.exit(1);
  stopping = true;
  app.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
