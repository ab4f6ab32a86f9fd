/**
 * Reading a request's body for Firebreak's own HTTP endpoints (Slack's requests, the Alertmanager
 * webhook): at most `limit` bytes; past it the rest is read and dropped, so the 413 reaches the
 * sender instead of a reset connection.
 */
import type { IncomingMessage } from 'node:http';

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: Buffer | 'too-large' | 'aborted') => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      settle('too-large');
      return;
    }
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) {
        // The rest is read and thrown away, so that the 413 reaches the client.
        req.resume();
        settle('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => settle(Buffer.concat(chunks)));
    req.on('error', () => settle('aborted'));
    req.on('aborted', () => settle('aborted'));
  });
}
