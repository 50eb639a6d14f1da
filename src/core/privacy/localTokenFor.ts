// The local server token (a team server's vLLM --api-key, LiteLLM key or proxy token) goes only to
// the endpoint the user chose in their USER settings (or the default): a cloned repository that
// sets tandem.local.endpoint in its .vscode/settings.json gets requests without it, the same rule
// as the OpenAI key and tandem.cloud.baseUrl.
import { DEFAULT_SETTINGS } from '../settings';
import { apiKeyAllowedFor } from './apiKeyAllowedFor';

export function localTokenFor(effectiveEndpoint: string, userLevelEndpoint: string | undefined, token: string | undefined): string | undefined {
  if (!token) return undefined;
  return apiKeyAllowedFor(effectiveEndpoint, userLevelEndpoint, DEFAULT_SETTINGS.local.endpoint) ? token : undefined;
}
