// Asks what the refactor should do: a QuickPick of recent instructions (kept in globalState, most
// recent first) that also takes free text. Typed text is offered as the first item, so Enter runs it.
import * as vscode from 'vscode';
import { rememberInstruction } from '../core/refactor/refactorPresentation';

const RECENT_KEY = 'tandem.refactor.recentInstructions';
const MAX_RECENT = 10;

export class InstructionHistory {
  constructor(private readonly state: vscode.Memento) {}

  recent(): string[] {
    const v = this.state.get<unknown>(RECENT_KEY);
    return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
  }

  async remember(instruction: string): Promise<void> {
    await this.state.update(RECENT_KEY, rememberInstruction(this.recent(), instruction, MAX_RECENT));
  }
}

/** Resolves with the instruction, or undefined when the user dismissed the picker. */
export function pickInstruction(history: InstructionHistory): Promise<string | undefined> {
  const recent = history.recent();
  const qp = vscode.window.createQuickPick<vscode.QuickPickItem>();
  qp.title = 'Tandem: Refactor Selection';
  qp.placeholder = recent.length > 0
    ? 'Type an instruction, or pick a recent one (e.g. "convert to async/await")'
    : 'Type an instruction (e.g. "convert to async/await", "add JSDoc", "extract a helper")';
  qp.ignoreFocusOut = true;
  qp.matchOnDescription = false;
  const recentItems: vscode.QuickPickItem[] = recent.map((label) => ({ label, description: 'recent' }));
  qp.items = recentItems;
  qp.onDidChangeValue((value) => {
    const typed = value.trim();
    qp.items = typed === '' || recent.includes(typed)
      ? recentItems
      : [{ label: typed, description: 'new instruction', alwaysShow: true }, ...recentItems];
  });
  return new Promise((resolve) => {
    let done = false;
    const finish = (v: string | undefined) => {
      if (done) return;
      done = true;
      resolve(v);
      qp.dispose();
    };
    qp.onDidAccept(() => {
      const text = (qp.selectedItems[0]?.label ?? qp.value).trim();
      finish(text === '' ? undefined : text);
    });
    qp.onDidHide(() => finish(undefined));
    qp.show();
  });
}
