/** The setup file's guard on toThrow (test/throw-matchers.ts): undefined and null no longer match a message; everything else as before. */
import { expect, it } from 'vitest';
it('rejects undefined fails', async () => { await expect(expect(Promise.reject(undefined)).rejects.toThrow('abc')).rejects.toThrow('but undefined was thrown'); });
it('sync null fails', () => { expect(() => expect(() => { throw null; }).toThrow(/abc/)).toThrow('but null was thrown'); });
it('good ones pass', async () => {
  await expect(Promise.reject(new Error('x abc'))).rejects.toThrow('abc');
  expect(() => { throw new Error('abc'); }).toThrow(/ab/);
  expect(() => { throw new Error('abc'); }).toThrowError('abc');
  expect(() => 1).not.toThrow();
  expect(() => { throw undefined; }).toThrow();
  expect(() => { throw new Error('zz'); }).not.toThrow('abc');
});
it('a wrong message still fails', () => { expect(() => expect(() => { throw new Error('x'); }).toThrow('abc')).toThrow(); });
it('no throw still fails', () => { expect(() => expect(() => 1).toThrow('abc')).toThrow(); });
it('called once', () => { let n = 0; expect(() => { n += 1; throw new Error('abc'); }).toThrow('abc'); expect(n).toBe(1); });
