/** The stand-in's Block Kit rules refuse what Slack refuses, with Slack's kind of message, and accept what Slack accepts. */
import { describe, expect, it } from 'vitest';
import { messageProblems, SLACK_LIMITS, viewProblems } from '../../src/adapters/local-slack/block-kit-rules.js';

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const button = (over: Record<string, unknown> = {}) => ({ type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'Go' }, value: 'v', ...over });

describe('messages', () => {
  it('accepts a message at every limit', () => {
    const blocks = [
      section('x'.repeat(3000)),
      { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(150) } },
      { type: 'section', fields: Array.from({ length: 10 }, () => ({ type: 'mrkdwn', text: 'f'.repeat(2000) })) },
      { type: 'context', elements: Array.from({ length: 10 }, () => ({ type: 'mrkdwn', text: 'c' })) },
      { type: 'actions', elements: Array.from({ length: 25 }, (_, i) => button({ action_id: `a${i}`, text: { type: 'plain_text', text: 'b'.repeat(75) }, value: 'v'.repeat(2000) })) },
      ...Array.from({ length: 45 }, () => ({ type: 'divider' })),
    ];
    expect(blocks).toHaveLength(50);
    expect(messageProblems(blocks, 't'.repeat(40_000))).toBeNull();
    expect(messageProblems(JSON.stringify(blocks))).toBeNull();
  });

  it.each([
    ['51 blocks', Array.from({ length: 51 }, () => ({ type: 'divider' })), 'must provide no more than 50 items [json-pointer:/blocks]'],
    ['a section of 3,001 characters', [section('x'.repeat(3001))], 'must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
    ['an empty section text', [section('')], 'must be at least 1 characters [json-pointer:/blocks/0/text/text]'],
    ['a header of 151', [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }], 'must be less than 151 characters [json-pointer:/blocks/0/text/text]'],
    ['a mrkdwn header', [{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }], 'type must be one of plain_text [json-pointer:/blocks/0/text/type]'],
    ['11 fields', [{ type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) }], 'must provide no more than 10 items [json-pointer:/blocks/0/fields]'],
    ['a field of 2,001', [{ type: 'section', fields: [{ type: 'mrkdwn', text: 'f'.repeat(2001) }] }], 'must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]'],
    ['11 context elements', [{ type: 'context', elements: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'c' })) }], 'must provide no more than 10 items [json-pointer:/blocks/0/elements]'],
    ['26 buttons', [{ type: 'actions', elements: Array.from({ length: 26 }, () => button()) }], 'must provide no more than 25 items [json-pointer:/blocks/0/elements]'],
    ['a button label of 76', [{ type: 'actions', elements: [button({ text: { type: 'plain_text', text: 'b'.repeat(76) } })] }], 'must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]'],
    ['a button value of 2,001', [{ type: 'actions', elements: [button({ value: 'v'.repeat(2001) })] }], 'must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]'],
    ['an action_id of 256', [{ type: 'actions', elements: [button({ action_id: 'a'.repeat(256) })] }], 'must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]'],
    ['a block_id of 256', [{ ...section('x'), block_id: 'b'.repeat(256) }], 'must be less than 256 characters [json-pointer:/blocks/0/block_id]'],
    ['a button style Slack does not have', [{ type: 'actions', elements: [button({ style: 'warning' })] }], 'style must be primary or danger [json-pointer:/blocks/0/elements/0/style]'],
    ['a confirm text of 301', [{ type: 'actions', elements: [button({ confirm: { title: { type: 'plain_text', text: 't' }, text: { type: 'mrkdwn', text: 'x'.repeat(301) }, confirm: { type: 'plain_text', text: 'Yes' }, deny: { type: 'plain_text', text: 'No' } } })] }], 'must be less than 301 characters [json-pointer:/blocks/0/elements/0/confirm/text/text]'],
    ['11 checkboxes', [{ type: 'actions', elements: [{ type: 'checkboxes', action_id: 'c', options: Array.from({ length: 11 }, (_, i) => ({ text: { type: 'mrkdwn', text: `o${i}` }, value: `${i}` })) }] }], 'must provide no more than 10 items [json-pointer:/blocks/0/elements/0/options]'],
    ['an option value of 151', [{ type: 'actions', elements: [{ type: 'overflow', action_id: 'o', options: [{ text: { type: 'plain_text', text: 'o' }, value: 'v'.repeat(151) }] }] }], 'must be less than 151 characters [json-pointer:/blocks/0/elements/0/options/0/value]'],
    ['6 overflow options', [{ type: 'actions', elements: [{ type: 'overflow', action_id: 'o', options: Array.from({ length: 6 }, (_, i) => ({ text: { type: 'plain_text', text: 'o' }, value: `${i}` })) }] }], 'must provide no more than 5 items [json-pointer:/blocks/0/elements/0/options]'],
    ['an unknown block type', [{ type: 'sectoin', text: { type: 'mrkdwn', text: 'x' } }], 'unknown block type "sectoin" [json-pointer:/blocks/0/type]'],
  ])('refuses %s', (_label, blocks, error) => {
    expect(messageProblems(blocks)).toEqual({ error: 'invalid_blocks', errors: expect.arrayContaining([error]) });
  });

  it('refuses text over 40,000 characters and blocks that are not a JSON array', () => {
    expect(messageProblems(undefined, 't'.repeat(SLACK_LIMITS.messageText + 1))).toEqual({ error: 'msg_too_long', errors: [] });
    expect(messageProblems('[{"type": "divider"')).toEqual({ error: 'invalid_blocks_format', errors: [] });
    expect(messageProblems({ type: 'divider' })).toEqual({ error: 'invalid_blocks_format', errors: [] });
  });
});

describe('views', () => {
  const modal = (over: Record<string, unknown> = {}) => ({
    type: 'modal', callback_id: 'cb', title: { type: 'plain_text', text: 'Declare an incident' }, submit: { type: 'plain_text', text: 'Declare' },
    blocks: [{ type: 'input', block_id: 'title', label: { type: 'plain_text', text: 'Title' }, element: { type: 'plain_text_input', action_id: 'v', max_length: 150 } }],
    ...over,
  });

  it('accepts a modal with 100 blocks and 3,000 characters of metadata', () => {
    expect(viewProblems(modal({ blocks: Array.from({ length: 100 }, () => ({ type: 'divider' })), private_metadata: 'm'.repeat(3000) }))).toEqual([]);
  });

  it.each([
    ['101 blocks', modal({ blocks: Array.from({ length: 101 }, () => ({ type: 'divider' })) }), 'must provide no more than 100 items [json-pointer:/view/blocks]'],
    ['a title of 25', modal({ title: { type: 'plain_text', text: 't'.repeat(25) } }), 'must be less than 25 characters [json-pointer:/view/title/text]'],
    ['private_metadata of 3,001', modal({ private_metadata: 'm'.repeat(3001) }), 'must be less than 3001 characters [json-pointer:/view/private_metadata]'],
    ['inputs and no submit button', modal({ submit: undefined }), 'a view with input blocks must have a submit button [json-pointer:/view/submit]'],
    ['a placeholder of 151', modal({ blocks: [{ type: 'input', label: { type: 'plain_text', text: 'T' }, element: { type: 'plain_text_input', action_id: 'v', placeholder: { type: 'plain_text', text: 'p'.repeat(151) } } }] }), 'must be less than 151 characters [json-pointer:/view/blocks/0/element/placeholder/text]'],
    ['a max_length of 3,001', modal({ blocks: [{ type: 'input', label: { type: 'plain_text', text: 'T' }, element: { type: 'plain_text_input', action_id: 'v', max_length: 3001 } }] }), 'max_length must be between 1 and 3000 [json-pointer:/view/blocks/0/element/max_length]'],
  ])('refuses %s', (_label, view, error) => {
    expect(viewProblems(view)).toContain(error);
  });
});

describe('the Web API stand-in', () => {
  it('refuses over HTTP what Slack refuses, with the details Slack gives, and takes the rest', async () => {
    const { startSlackStandIn } = await import('../../src/adapters/local-slack/web-api.js');
    const standIn = await startSlackStandIn();
    try {
      const call = async (method: string, body: Record<string, unknown>) => {
        const res = await fetch(`${standIn.apiUrl}${method}`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', authorization: 'Bearer xoxb-test' }, body: JSON.stringify(body) });
        return (await res.json()) as Record<string, unknown>;
      };
      const tooMany = await call('chat.postMessage', { channel: 'C0X', text: 't', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) });
      expect(tooMany).toMatchObject({ ok: false, error: 'invalid_blocks', errors: ['must provide no more than 50 items [json-pointer:/blocks]'] });
      const long = await call('chat.update', { channel: 'C0X', ts: '1.2', text: 't', blocks: [section('x'.repeat(3001))] });
      expect(long).toMatchObject({ ok: false, error: 'invalid_blocks' });
      expect(await call('chat.postEphemeral', { channel: 'C0X', user: 'U0A', text: 't'.repeat(40_001) })).toMatchObject({ ok: false, error: 'msg_too_long' });
      expect(await call('chat.postMessage', { channel: 'C0X', text: 't', blocks: [section('fine')] })).toMatchObject({ ok: true });
    } finally {
      await standIn.close();
    }
  });
});
