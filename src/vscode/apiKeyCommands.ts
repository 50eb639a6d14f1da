// "Tandem: Set OpenAI API Key" / "Clear": the key goes to SecretStorage only (ApiKeyStore), typed
// into a password box or passed as the command's argument (tests). No message or log line ever
// carries it; confirmations name the store, not the key.
import * as vscode from 'vscode';
import type { Services } from './services';

export const SET_API_KEY_COMMAND = 'tandem.setApiKey';
export const CLEAR_API_KEY_COMMAND = 'tandem.clearApiKey';

export function registerApiKeyCommands(services: Services): void {
  const { context, apiKey, log } = services;
  context.subscriptions.push(
    vscode.commands.registerCommand(SET_API_KEY_COMMAND, async (arg?: unknown): Promise<{ stored: boolean }> => {
      const given = typeof arg === 'string' ? arg : undefined;
      const key = given ?? await vscode.window.showInputBox({
        title: 'Tandem: Set OpenAI API Key',
        prompt: 'Stored in VS Code\'s secret storage (the OS keychain on desktop), never in settings or logs.',
        placeHolder: 'sk-...',
        password: true,
        ignoreFocusOut: true,
        validateInput: (v) => validKey(v) ? undefined : 'An API key is one word without spaces.',
      });
      if (key === undefined || !validKey(key)) return { stored: false };
      await apiKey.set(key);
      log.info('OpenAI API key stored in secret storage.');
      const note = 'Tandem: OpenAI API key saved in VS Code\'s secret storage.';
      if (given === undefined) void vscode.window.showInformationMessage(note);
      else vscode.window.setStatusBarMessage(note, 5000);
      return { stored: true };
    }),
    vscode.commands.registerCommand(CLEAR_API_KEY_COMMAND, async (): Promise<{ cleared: boolean }> => {
      const had = (await apiKey.get()) !== undefined;
      await apiKey.clear();
      log.info('OpenAI API key removed from secret storage.');
      vscode.window.setStatusBarMessage(had ? 'Tandem: OpenAI API key removed.' : 'Tandem: no OpenAI API key was set.', 5000);
      return { cleared: had };
    }),
  );
}

function validKey(v: string): boolean {
  const t = v.trim();
  return t !== '' && !/\s/.test(t);
}
