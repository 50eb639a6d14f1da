import { strict as assert } from 'node:assert';
import { apiKeyAllowedFor, endpointHost } from '../../../src/core/shared/apiKeyAllowedFor';

const DEFAULT = 'https://api.openai.com/v1';

describe('apiKeyAllowedFor', () => {
  // [effective, user-level, allowed]
  const table: Array<[string, string | undefined, boolean]> = [
    [DEFAULT, undefined, true],
    ['https://api.openai.com/v1/', undefined, true], // trailing slash
    ['https://API.OpenAI.com/v1', undefined, true], // host case
    ['https://api.openai.com:443/v1', undefined, true], // default port
    ['https://api.openai.com/v1#x', undefined, true], // fragment never reaches a server
    ['http://api.openai.com/v1', undefined, false], // scheme
    ['https://api.openai.com/v2', undefined, false], // path
    ['https://api.openai.com/V1', undefined, false], // paths are case-sensitive
    ['https://api.openai.com.evil.example/v1', undefined, false],
    ['https://evil.example/v1', undefined, false], // a workspace override
    ['https://user:pw@api.openai.com/v1', undefined, false], // credentials in the URL differ
    ['https://api.openai.com:8443/v1', undefined, false],
    ['https://api.openai.com/v1?x=1', undefined, false],
    ['not a url', undefined, false],
    ['file:///etc/passwd', 'file:///etc/passwd', false], // only http(s)
    ['http://127.0.0.1:8080/v1', 'http://127.0.0.1:8080/v1', true], // the user chose a local proxy
    ['http://127.0.0.1:8080/v1', 'http://127.0.0.1:8080/v1/', true],
    [DEFAULT, 'http://127.0.0.1:8080/v1', false], // user set a proxy; the key goes only there
    ['https://gateway.corp/openai/v1', 'https://gateway.corp/openai/v1', true],
    ['https://gateway.corp/openai/v1', 'not a url', false],
  ];
  for (const [effective, user, allowed] of table) {
    it(`${effective} with user-level ${user ?? '(unset)'} -> ${allowed}`, () => {
      assert.equal(apiKeyAllowedFor(effective, user, DEFAULT), allowed);
    });
  }

  it('endpointHost gives host and port only', () => {
    assert.equal(endpointHost('https://api.openai.com/v1'), 'api.openai.com');
    assert.equal(endpointHost('http://127.0.0.1:8080/v1'), '127.0.0.1:8080');
    assert.equal(endpointHost('nope'), '');
  });
});
