/** A modal (the last view of the person's stack) as Slack shows it: title, ✕, blocks, close and submit. */
import { viewProblems } from '../../block-kit-rules.js';
import type { ConsoleView } from '../protocol.js';
import { attrs, renderBlocks, renderRefusal } from './blocks.js';
import type { RenderContext } from './context.js';
import { escapeHtml } from './escape.js';
import { isObject, rawText, renderTextLine } from './text.js';

/** The view's title as plain text (for the dialog's accessible name). */
export function modalTitle(view: Record<string, unknown>): string {
  return rawText(view.title) || 'Modal';
}

/**
 * The dialog: `role="dialog"` named by the title; ✕ and the close button (`data-modal-close`),
 * the submit button (`data-modal-submit`) when the view has one; errors under their inputs, and
 * errors naming no input of the view listed on top. When Slack would refuse the view, the red box
 * replaces its blocks and there is nothing to submit.
 */
export function renderModal(cv: ConsoleView, ctx: RenderContext): string {
  const view = cv.view;
  const problems = viewProblems(view);
  const refused = problems.length > 0;
  const blocks = Array.isArray(view.blocks) ? view.blocks : [];
  const errors = cv.errors ?? {};
  const blockIds = new Set(blocks.filter(isObject).map((b) => b.block_id));
  const stray = Object.entries(errors).filter(([id]) => !blockIds.has(id));
  const strayHtml = stray.length
    ? `<div class="sk-refusal modal-stray-errors" role="alert">${stray.map(([id, msg]) => `<div>${escapeHtml(id)}: ${escapeHtml(msg)}</div>`).join('')}</div>`
    : '';
  const body = refused ? renderRefusal('modal', 'invalid_arguments', problems) : `${strayHtml}${renderBlocks(blocks, ctx, { surface: 'modal', errors, scope: `v${cv.id}` })}`;
  const close = renderTextLine(view.close) || 'Cancel';
  const submit = !refused && view.submit !== undefined ? `<button type="button" class="sk-button sk-button-primary" data-modal-submit>${renderTextLine(view.submit) || 'Submit'}</button>` : '';
  const title = modalTitle(view);
  return (
    `<div class="modal" role="dialog" aria-modal="true"${attrs({ 'aria-label': title, 'data-view-id': cv.id, 'data-view-hash': cv.hash, 'data-callback-id': typeof view.callback_id === 'string' ? view.callback_id : undefined })}>` +
    `<header class="modal-header"><h2 class="modal-title">${renderTextLine(view.title) || escapeHtml(title)}</h2>` +
    `<button type="button" class="modal-x" data-modal-close title="Close">✕</button></header>` +
    `<div class="modal-body">${body}</div>` +
    `<footer class="modal-footer"><button type="button" class="sk-button" data-modal-close>${close}</button>${submit}</footer></div>`
  );
}
