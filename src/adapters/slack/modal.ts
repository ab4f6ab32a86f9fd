/**
 * Opening a modal whose content needs I/O (an incident read from the store) within the 3 seconds
 * a trigger_id lives: if the content is ready quickly, it opens directly; otherwise a "loading"
 * modal opens at once and is replaced with views.update when the content (or an error) is ready.
 */
import type { webApi } from '@slack/bolt';
import { isFirebreakError } from '../../core/errors.js';

/** How long to wait for the content before opening the loading modal instead. */
export const MODAL_BUDGET_MS = 1500;

const plainText = (text: string) => ({ type: 'plain_text', text, emoji: true });

export function messageView(title: string, text: string) {
  return {
    type: 'modal',
    title: plainText(title.slice(0, 24)),
    close: plainText('Close'),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3000) } }],
  };
}

type View = Record<string, unknown>;

/**
 * Resolves 'opened' once the real modal is showing; rejects with the build error when that came
 * in time (nothing was opened: the caller answers another way), or resolves 'failed-in-modal'
 * when the error was shown in the loading modal.
 */
export async function openModalWhenReady(client: webApi.WebClient, triggerId: string, build: () => Promise<View>, budgetMs = MODAL_BUDGET_MS): Promise<'opened' | 'failed-in-modal'> {
  const content = build().then(
    (view) => ({ ok: true as const, view }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  const timer = new Promise<'slow'>((resolve) => setTimeout(() => resolve('slow'), budgetMs).unref());
  const first = await Promise.race([content, timer]);
  if (first !== 'slow') {
    if (!first.ok) throw first.error;
    await client.views.open({ trigger_id: triggerId, view: first.view as never });
    return 'opened';
  }
  const opened = await client.views.open({ trigger_id: triggerId, view: messageView('Firebreak', ':hourglass_flowing_sand: Loading…') as never });
  const viewId = opened.view?.id as string;
  const result = await content;
  if (result.ok) {
    await client.views.update({ view_id: viewId, view: result.view as never });
    return 'opened';
  }
  const text = isFirebreakError(result.error) ? `:warning: ${result.error.userMessage}` : ':x: Something went wrong preparing this form; see Firebreak’s log.';
  await client.views.update({ view_id: viewId, view: messageView('Firebreak', text) as never });
  if (!isFirebreakError(result.error)) throw result.error;
  return 'failed-in-modal';
}
