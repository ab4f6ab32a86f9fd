/** The console's Block Kit renderer: pure functions from Slack's JSON to escaped HTML strings. */
export { attrs, renderBlocks, renderConfirm, renderRefusal, type BlocksOptions, type Surface } from './blocks.js';
export { applySuggestion, suggestionsFor, usageFor, type Suggestion } from './complete.js';
export { contextFromState, lookup, type RenderContext, type RenderUser } from './context.js';
export { formatAgo, formatClock, formatSlackDate, zonedParts } from './dates.js';
export { EMOJI, emojiFor, replaceEmoji } from './emoji.js';
export { decodeSlackEntities, escapeHtml, jsonAttr, safeFileHref, safeImageSrc, safeLinkHref } from './escape.js';
export { authorName, formatSize, reactionEmoji, renderMessage, renderMessageBody, renderNotice, tsToMs, type MessageOptions } from './message.js';
export { renderMrkdwn, renderPlain } from './mrkdwn.js';
export { rawText, renderText, renderTextLine } from './text.js';
export { modalTitle, renderModal } from './view.js';
