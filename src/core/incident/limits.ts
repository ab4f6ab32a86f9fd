/**
 * Limits on what people type about an incident, shared by every way of typing it (a slash
 * command's text, a form's field) so they refuse the same things with the same number.
 */

/** One line saying what is broken: long titles stop fitting cards, topics and notifications. */
export const TITLE_MAX = 150;
