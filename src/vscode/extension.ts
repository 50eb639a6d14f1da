// Activation: build the shared services and register each feature. Cheap on purpose: SDKs and the
// tokenizer load on first use, and the first health check runs after activation returns.
import * as vscode from 'vscode';
import { registerCostFeature } from './costFeature';
import { registerInlineFeature } from './inlineFeature';
import { registerPrivacyFeature } from './privacyFeature';
import { registerRefactorFeature } from './refactorFeature';
import { registerLocalTokenCommands } from './localTokenCommands';
import { createServices } from './services';
import { registerSetupFeature } from './setupFeature';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Tandem', { log: true });
  context.subscriptions.push(log);
  const services = createServices(context, log);
  const cost = registerCostFeature(services);
  registerInlineFeature(services, cost.inlineObserver);
  registerPrivacyFeature(services);
  registerRefactorFeature(services);
  registerSetupFeature(services);
  registerLocalTokenCommands(services);
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
