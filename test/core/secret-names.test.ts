/** The names that say they hold a credential: variables, headers, fields, whatever their case or place. */
import { describe, expect, it } from 'vitest';
import { namesSecret, SECRET_NAME } from '../../src/core/secret-names.js';

describe('names of secrets', () => {
  it.each([
    'LOGIN_PASSWORD', 'password', 'db_passwd', 'PASS', 'x-api-key', 'ApiKey', 'Authorization', 'proxy-authorization', 'access_token', 'refresh.Token',
    'CLIENT_SECRET', 'aws_credentials', 'Cookie', 'set-cookie', 'session.id', 'SESSIONID', 'jwt', 'id_JWT',
  ])('%s is one', (name) => {
    expect(namesSecret(name)).toBe(true);
  });

  it.each(['user', 'username', 'LOGIN', 'x-request-id', 'content-type', 'host', 'body.items', 'region', ''])('%s is not', (name) => {
    expect(namesSecret(name)).toBe(false);
  });

  it('cookies and sessions count as well as the words of SECRET_NAME', () => {
    expect(SECRET_NAME.test('SESSION_COOKIE')).toBe(false);
    expect(namesSecret('SESSION_COOKIE')).toBe(true);
    expect(SECRET_NAME.test('SESSION_KEY')).toBe(true);
  });
});
