/**
 * Counts every HTTP request Firebreak makes to Slack's Web API, by method and, when it failed, by
 * why. It is the `fetch` of every Web API client (compose.ts: the chat adapter's, callOnce's, the
 * reminder engine's and Bolt's own through the shared client options), so each attempt of a
 * retried call counts, and a 429 counts as `ratelimited` whether the client waits it out or hands
 * it back. Requests to other addresses (a response_url, a file's upload URL) pass untouched.
 */
import type { Metrics } from '../../ports.js';

type Fetch = typeof globalThis.fetch;

function urlOf(input: Parameters<Fetch>[0]): string {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  return input.url;
}

/** What a request that never got an answer failed of: the client's own timeout, or the network. */
function transportError(err: unknown): string {
  const name = (err as { name?: unknown } | undefined)?.name;
  return name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network';
}

/** The error code of a Web API answer, null when it is `ok`. */
async function answerError(res: Response): Promise<string | null> {
  try {
    const body = (await res.clone().json()) as { ok?: unknown; error?: unknown };
    if (body.ok === true) return null;
    return typeof body.error === 'string' ? body.error : 'invalid_response';
  } catch {
    return 'invalid_response';
  }
}

export function countingFetch(metrics: Metrics, apiUrl: string, inner: Fetch = globalThis.fetch): Fetch {
  const base = apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`;
  return async (input, init) => {
    const url = urlOf(input);
    if (!url.startsWith(base)) return inner(input, init);
    const method = url.slice(base.length).split(/[?#]/)[0] ?? '';
    let res: Response;
    try {
      res = await inner(input, init);
    } catch (err) {
      metrics.slackApiCall(method, transportError(err));
      throw err;
    }
    if (res.status === 429) metrics.slackApiCall(method, 'ratelimited');
    else if (res.status !== 200) metrics.slackApiCall(method, `http_${res.status}`);
    else {
      const error = await answerError(res);
      metrics.slackApiCall(method, error === 'rate_limited' ? 'ratelimited' : error);
    }
    return res;
  };
}
