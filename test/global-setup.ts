import { missingServices } from './services.js';

/** The suite needs the real servers: fail at once, saying how to get them, rather than skip. */
export default async function setup(): Promise<void> {
  const missing = await missingServices();
  if (missing.length > 0) {
    throw new Error(
      `The test suite needs real services that are not reachable: ${missing.join(', ')}.\n` +
        'Run `npm run services` to install and start them (Debian packages), then run the tests again.',
    );
  }
}
