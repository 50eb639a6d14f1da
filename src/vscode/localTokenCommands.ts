// "Tandem: Set Local Server Token" / "Clear": the team server's token goes to SecretStorage only
// (LocalTokenStore), typed into a password box or passed as the command's argument (tests). No
// message or log line carries it.
import * as vscode from 'vscode';
import type { Services } from './services';

export const SET_LOCAL_TOKEN_COMMAND = 'tandem.setLocalToken';
export const CLEAR_LOCAL_TOKEN_COMMAND = 'tandem.clearLocalToken';

export function registerLocalTokenCommands(services: Services): void {
  const { context, localToken, log } = services;
  context.subscriptions.push(
    vscode.commands.registerCommand(SET_LOCAL_TOKEN_COMMAND, async (arg?: unknown): Promise<{ stored: boolean }> => {
      const given = typeof arg === 'string' ? arg : undefined;
      const token = given ?? await vscode.window.showInputBox({
        title: 'Tandem: Set Local Server Token',
        prompt: 'The token of your team\'s model server (vLLM --api-key, LiteLLM, an auth proxy). Sent as a bearer token only to tandem.local.endpoint from your user settings.',
        password: true,
        ignoreFocusOut: true,
        validateInput: (v) => validToken(v) ? undefined : 'A token is one word without spaces.',
      });
      if (token === undefined || !validToken(token)) return { stored: false };
      await localToken.set(token);
      log.info('Local server token stored in secret storage.');
      vscode.window.setStatusBarMessage('Tandem: local server token saved in secret storage.', 5000);
      return { stored: true };
    }),
    vscode.commands.registerCommand(CLEAR_LOCAL_TOKEN_COMMAND, async (): Promise<{ cleared: boolean }> => {
      const had = localToken.current !== undefined;
      await localToken.clear();
      log.info('Local server token removed from secret storage.');
      vscode.window.setStatusBarMessage(had ? 'Tandem: local server token removed.' : 'Tandem: no local server token was set.', 5000);
      return { cleared: had };
    }),
  );
}

function validToken(v: string): boolean {
  const t = v.trim();
  return t !== '' && !/\s/.test(t);
}
