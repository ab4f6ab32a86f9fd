import { describe, expect, it } from 'vitest';
import { LIMITS, toBlockKit, type SlackBlock } from '../../src/adapters/slack/block-kit.js';
import type { Block, Message } from '../../src/core/render/message.js';

/** Deterministic pseudo-random generator, so a failing case can be replayed from its seed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const PIECES = ['a', 'é', '🔥', '&', '<', '>', '*', ' ', '\n', 'x'.repeat(100), '<@U1>', '&amp;'];
function randomText(r: () => number, max: number): string {
  const len = Math.floor(r() * max);
  let out = '';
  while (out.length < len) out += PIECES[Math.floor(r() * PIECES.length)];
  return out;
}

function randomBlock(r: () => number): Block {
  const n = (max: number) => Math.floor(r() * max);
  switch (n(6)) {
    case 0: return { type: 'header', text: randomText(r, 400) };
    case 1: return { type: 'text', text: randomText(r, 8000) };
    case 2: return { type: 'fields', fields: Array.from({ length: n(40) }, () => ({ label: randomText(r, 50), value: randomText(r, 4000) })) };
    case 3: return { type: 'context', items: Array.from({ length: n(30) }, () => randomText(r, 200)) };
    case 4: return { type: 'divider' };
    default: return { type: 'actions', buttons: Array.from({ length: n(60) }, (_, i) => ({ action: `a${i}`.repeat(n(100)), label: randomText(r, 200), value: randomText(r, 5000) })) };
  }
}

function violations(out: { text: string; blocks: SlackBlock[] }): string[] {
  const v: string[] = [];
  if (out.blocks.length > LIMITS.blocksPerMessage) v.push(`${out.blocks.length} blocks`);
  if (out.text.length > LIMITS.messageText || out.text.length === 0) v.push(`text ${out.text.length}`);
  for (const b of out.blocks as Array<Record<string, any>>) {
    if (b.type === 'header' && (b.text.text.length > LIMITS.headerText || b.text.text.length === 0)) v.push('header');
    if (b.type === 'section' && b.text && (b.text.text.length > LIMITS.sectionText || b.text.text.length === 0)) v.push('section text');
    if (b.type === 'section' && b.fields && (b.fields.length > LIMITS.fieldsPerSection || b.fields.some((f: any) => f.text.length > LIMITS.fieldText))) v.push('fields');
    if (b.type === 'context' && b.elements.length > LIMITS.contextElements) v.push('context');
    if (b.type === 'actions') {
      if (b.elements.length > LIMITS.actionsElements) v.push('actions');
      for (const e of b.elements) {
        if (e.text.text.length > LIMITS.buttonText || e.value.length > LIMITS.buttonValue || e.action_id.length > LIMITS.actionId) v.push('button');
      }
    }
  }
  return v;
}

describe('toBlockKit', () => {
  it('never produces a message Slack would refuse, whatever the input (500 random messages)', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const r = rng(seed);
      const message: Message = { text: randomText(r, 10_000), blocks: Array.from({ length: Math.floor(r() * 80) }, () => randomBlock(r)) };
      const problems = violations(toBlockKit(message));
      expect(problems, `seed ${seed}`).toEqual([]);
    }
  });

  it('says how many blocks were left out instead of dropping them silently', () => {
    const message: Message = { text: 'many', blocks: Array.from({ length: 70 }, () => ({ type: 'divider' as const })) };
    const out = toBlockKit(message);
    expect(out.blocks).toHaveLength(50);
    expect(out.blocks.at(-1)).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: '+21 more blocks not shown' }] });
  });

  it('splits 25 fields into sections of at most 10', () => {
    const fields = Array.from({ length: 25 }, (_, i) => ({ label: `L${i}`, value: `v${i}` }));
    const out = toBlockKit({ text: 't', blocks: [{ type: 'fields', fields }] });
    expect(out.blocks.map((b) => (b.fields as unknown[]).length)).toEqual([10, 10, 5]);
  });
});
