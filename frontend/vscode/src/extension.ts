// The VS Code side: a "Kernel structs" tree over an opened crash dump, served by
// `vmscope serve --stdio` (one server per window, started on first use). Commands:
//   vmscope: Open Dump            pick a vmcore (and its vmlinux, unless settings name one)
//   vmscope: Evaluate Expression  add a C expression (init_task, jiffies, *(struct …*)0x…)
//   vmscope: Remove Expression    (on a root, from the tree's context menu)
// Settings: vmscope.serverPath, vmscope.vmlinux, vmscope.debugDir, vmscope.allowDirs,
// vmscope.initialExpressions.
import * as vscode from "vscode";
import { RpcError, StdioClient } from "./stdio/client";
import { ValueTreeData, type ValueTreeNode } from "./tree/valueTree";

class StructTreeProvider implements vscode.TreeDataProvider<ValueTreeNode> {
  private readonly changed = new vscode.EventEmitter<ValueTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(readonly data: ValueTreeData) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  getChildren(node?: ValueTreeNode): Promise<ValueTreeNode[]> {
    return this.data.getChildren(node).catch((error: unknown) => {
      void vscode.window.showErrorMessage(`vmscope: ${(error as Error).message}`);
      return [];
    });
  }

  getParent(node: ValueTreeNode): ValueTreeNode | undefined {
    return this.data.getParent(node);
  }

  getTreeItem(node: ValueTreeNode): vscode.TreeItem {
    const d = this.data.getItem(node);
    const item = new vscode.TreeItem(
      d.label,
      d.collapsible === "collapsed" ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
    );
    item.id = d.id;
    item.description = d.description;
    item.tooltip = d.tooltip;
    item.contextValue = d.contextValue;
    return item;
  }
}

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel("vmscope");
  let client: StdioClient | undefined;
  let dumpId: string | undefined;
  const caller = {
    call: ((method, params) => server().call(method, params)) as StdioClient["call"],
  };
  const data = new ValueTreeData(caller);
  const provider = new StructTreeProvider(data);
  const view = vscode.window.createTreeView("vmscope.structs", { treeDataProvider: provider, showCollapseAll: true });
  context.subscriptions.push(view, output);

  function settings() {
    return vscode.workspace.getConfiguration("vmscope");
  }

  function server(): StdioClient {
    if (client?.isClosed) {
      // The server died (or could not start): its dump ids mean nothing to a new one.
      void client.dispose();
      client = undefined;
      dumpId = undefined;
      data.clear();
      provider.refresh();
    }
    if (!client) {
      const s = settings();
      const debugDir = s.get<string>("debugDir") || undefined;
      client = new StdioClient({
        binary: s.get<string>("serverPath") || "vmscope",
        allowDirs: s.get<string[]>("allowDirs") ?? ["/"],
        ...(debugDir ? { debugDir } : {}),
        log: (line) => output.appendLine(line),
      });
    }
    return client;
  }

  function show(error: unknown): void {
    const message = error instanceof RpcError ? error.message : `${(error as Error).message ?? String(error)}`;
    output.appendLine(message);
    void vscode.window.showErrorMessage(`vmscope: ${message}`);
  }

  async function evaluate(expression: string): Promise<void> {
    if (!dumpId) throw new Error("no dump is open (vmscope: Open Dump)");
    const node = await data.addRoot(dumpId, expression);
    provider.refresh();
    await view.reveal(node, { expand: true, select: true, focus: true }).then(undefined, () => undefined);
  }

  context.subscriptions.push(
    vscode.commands.registerCommand("vmscope.openDump", async (coreArg?: string) => {
      try {
        let core = coreArg;
        if (!core) {
          const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: "Open dump", title: "vmscope: a vmcore (ELF, kdump, flattened, QEMU)" });
          if (!picked?.[0]) return;
          core = picked[0].fsPath;
        }
        const s = settings();
        const vmlinux = s.get<string>("vmlinux") || undefined;
        const debugDir = s.get<string>("debugDir") || undefined;
        const params = { core, ...(vmlinux ? { vmlinux } : {}), ...(debugDir ? { debugDir } : {}) };
        const dump = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `vmscope: opening ${core}` },
          () => server().call("dump/open", params),
        );
        dumpId = dump.dumpId;
        data.clear();
        output.appendLine(`opened ${core} as ${dump.dumpId} (${dump.format}, ${dump.release ?? "unknown release"})`);
        view.title = `Kernel structs — ${dump.release ?? dump.dumpId}`;
        for (const expression of s.get<string[]>("initialExpressions") ?? ["init_task"]) await evaluate(expression).catch(show);
        provider.refresh();
      } catch (error) {
        show(error);
      }
    }),
    vscode.commands.registerCommand("vmscope.evaluate", async (expressionArg?: string) => {
      try {
        const expression =
          expressionArg ?? (await vscode.window.showInputBox({ title: "vmscope: Evaluate Expression", prompt: "a C expression over the dump", placeHolder: "init_task.comm, jiffies, *(struct task_struct *)0x…" }));
        if (!expression?.trim()) return;
        await evaluate(expression.trim());
      } catch (error) {
        show(error);
      }
    }),
    vscode.commands.registerCommand("vmscope.removeExpression", (node?: ValueTreeNode) => {
      if (!node) return;
      data.removeRoot(node);
      provider.refresh();
    }),
    { dispose: () => void client?.dispose() },
  );
}

export function deactivate(): void {
  // The server is disposed through context.subscriptions.
}
