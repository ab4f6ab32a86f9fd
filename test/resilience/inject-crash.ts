/**
 * Loaded before Firebreak in a test's process (`--import`), to raise on demand what no code path
 * of Firebreak's is known to raise: SIGHUP leaves a rejected promise nobody handles, SIGUSR2
 * throws from a timer. The last-resort policy of src/main.ts is tested against them.
 */
process.on('SIGHUP', () => {
  void Promise.reject(new Error('injected: a background task failed'));
});
process.on('SIGUSR2', () => {
  setTimeout(() => {
    throw new Error('injected: a bug thrown from a timer');
  });
});
