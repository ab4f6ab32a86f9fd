/** The error catalogue: the codes people's messages carry, and how a low-level cause is described to them. */
import { describe, expect, it } from 'vitest';
import { describeCause, FirebreakError, invalidInput, isFirebreakError, storeUnavailable } from '../../src/core/errors.js';

describe('describeCause', () => {
  it('prefers Slack’s error code (data.error), then a system code, then the message', () => {
    expect(describeCause({ data: { error: 'channel_not_found' }, code: 'slack_webapi_platform_error', message: 'An API error occurred' })).toBe('channel_not_found');
    expect(describeCause({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' })).toBe('ECONNREFUSED');
    expect(describeCause({ code: '57P01', message: 'terminating connection' })).toBe('57P01');
    expect(describeCause({ message: 'socket hang up' })).toBe('socket hang up');
  });

  it('ignores codes that are not a system code (lowercase, words, numbers) and falls back to the message', () => {
    expect(describeCause({ code: 'slack_webapi_platform_error', message: 'm1' })).toBe('m1');
    expect(describeCause({ code: 'E CONN', message: 'm2' })).toBe('m2');
    expect(describeCause({ code: 42, message: 'm3' })).toBe('m3');
    expect(describeCause({ code: '', message: 'm4' })).toBe('m4');
    expect(describeCause({ data: { error: 42 }, message: 'm5' })).toBe('m5');
    expect(describeCause({ data: null, message: 'm6' })).toBe('m6');
  });

  it('removes credentials of URLs in the message and keeps 120 characters', () => {
    expect(describeCause(new Error('cannot reach postgres://app:s3cr3t@db:5432/x'))).toBe('cannot reach postgres://db:5432/x');
    expect(describeCause(new Error('a redis://:pw@cache and amqp://u@broker'))).toBe('a redis://cache and amqp://broker');
    const long = 'x'.repeat(200);
    expect(describeCause(new Error(long))).toBe('x'.repeat(120));
  });

  it('says "unknown error" for what carries nothing readable', () => {
    for (const cause of [undefined, null, 'a string', 42, {}, { message: 42 }, { code: 'lower' }]) expect(describeCause(cause)).toBe('unknown error');
    // Only objects are read: a function carrying a message is not an error.
    expect(describeCause(Object.assign(() => undefined, { message: 'from a function', code: 'EFUNC' }))).toBe('unknown error');
  });
});

describe('FirebreakError', () => {
  it('carries its code and the message for people, and says it is one', () => {
    const cause = new Error('low level');
    const err = new FirebreakError('NOT_FOUND', 'No incident INC-9 here.', { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('FirebreakError');
    expect(err.code).toBe('NOT_FOUND');
    expect(err.userMessage).toBe('No incident INC-9 here.');
    expect(err.message).toBe('No incident INC-9 here.');
    expect(err.cause).toBe(cause);
    expect(isFirebreakError(err)).toBe(true);
    expect(isFirebreakError(new Error('x'))).toBe(false);
    expect(isFirebreakError({ code: 'NOT_FOUND', userMessage: 'forged' })).toBe(false);
  });

  it('store unavailable: what could not be done, why, that nothing was lost, what to do', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const err = storeUnavailable('record the incident', cause);
    expect(err.code).toBe('STORE_UNAVAILABLE');
    expect(err.userMessage).toBe("Could not record the incident: Firebreak's database is unreachable (ECONNREFUSED). Nothing was lost; try again in a minute.");
    expect(err.cause).toBe(cause);
  });

  it('invalid input keeps the message as written', () => {
    const err = invalidInput('The title is empty: type what is broken.');
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.userMessage).toBe('The title is empty: type what is broken.');
  });
});
