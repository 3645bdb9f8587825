// "Show proof obligation": the SMT-LIB of a finding's solver queries, with their answers,
// in a read-only virtual document (scheme veriline-proof:). The server renders the text
// (veriline.showProof, see docs/proofs.md); this module only keeps and shows it.
import * as vscode from 'vscode';

export const PROOF_SCHEME = 'veriline-proof';

export interface ProofResult {
  text: string;
  findings: number;
  function?: string;
}

/** Holds the text of each proof document shown (read-only: a content provider). */
export class ProofDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '; this proof is no longer available: run "Show proof obligation" again\n';
  }

  /** Opens (or refreshes) the proof document of a finding at `line` (0-based) of `source`. */
  async show(source: string, line: number, result: ProofResult | undefined): Promise<void> {
    if (!result || typeof result.text !== 'string') {
      void vscode.window.showInformationMessage('Veriline: no proof obligation at this place.');
      return;
    }
    const name = vscode.Uri.parse(source).path.split('/').pop() ?? 'file';
    const uri = vscode.Uri.from({
      scheme: PROOF_SCHEME,
      path: `/${name}.line${line + 1}.smt2`,
      query: encodeURIComponent(source),
    });
    this.texts.set(uri.toString(), result.text);
    this.changed.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  }
}

/** The arguments of veriline.showProof for the active editor's cursor (palette use). */
export function proofArgsAtCursor(): [string, number] | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    return undefined;
  }
  return [editor.document.uri.toString(), editor.selection.active.line];
}
