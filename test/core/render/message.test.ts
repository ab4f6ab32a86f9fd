/** The platform-neutral message's one helper. */
import { describe, expect, it } from 'vitest';
import { plain } from '../../../src/core/render/message.js';

describe('plain', () => {
  it('is the text as the notification and as its one block', () => {
    expect(plain(':memo: Note added to the timeline by <@U0BOB>.')).toEqual({
      text: ':memo: Note added to the timeline by <@U0BOB>.',
      blocks: [{ type: 'text', text: ':memo: Note added to the timeline by <@U0BOB>.' }],
    });
  });
});
