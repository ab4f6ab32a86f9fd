/**
 * A setup file for every test: `toThrow("message")`, `toThrow(/pattern/)` and their `rejects`
 * forms fail when what was thrown is `undefined` or `null`. Vitest passes them (its issue #7260:
 * chai's `throws` finds no message to compare and reports a match), so code that throws nothing
 * useful, or a mutant that turns an error into `undefined`, would go unnoticed.
 */
import { chai } from 'vitest';

chai.use((c, utils) => {
  for (const name of ['toThrow', 'toThrowError']) {
    utils.overwriteMethod(c.Assertion.prototype, name, (original: (...args: unknown[]) => unknown) =>
      function (this: Chai.AssertionStatic, ...args: unknown[]) {
        const expected = args[0];
        const checksMessage = typeof expected === 'string' || expected instanceof RegExp;
        if (!checksMessage || utils.flag(this, 'negate')) return original.apply(this, args);
        let thrown: unknown;
        let threw = false;
        if (utils.flag(this, 'promise') === 'rejects') {
          thrown = utils.flag(this, 'object');
          threw = true;
        } else if (typeof utils.flag(this, 'object') === 'function') {
          // Called once here, and the matcher given a function that throws the same thing again.
          try {
            (utils.flag(this, 'object') as () => unknown)();
          } catch (err) {
            thrown = err;
            threw = true;
          }
          utils.flag(this, 'object', threw ? () => { throw thrown; } : () => undefined);
        }
        if (threw && (thrown === undefined || thrown === null)) {
          throw new c.AssertionError(`expected an error matching ${String(expected)}, but ${String(thrown)} was thrown`);
        }
        return original.apply(this, args);
      },
    );
  }
});
