// The data behind the "Kernel structs" tree: expressions evaluated over the open dump
// (value/evaluate) as roots, their members, elements and pointer targets fetched lazily a
// page at a time (value/children) when a node is expanded. Plain data in, plain items out:
// extension.ts maps items to vscode.TreeItem, and the tests drive this against the real server.
import type { MethodName, Methods, ValueNodeFields } from "../protocol/generated";

/** What the tree needs of a client: one typed call (StdioClient has it). */
export interface Caller {
  call<M extends MethodName>(method: M, params: Methods[M]["params"]): Promise<Methods[M]["result"]>;
}

export interface ValueTreeNode {
  /** Stable id for VS Code: the root's index and expression, then the path of names. */
  id: string;
  dumpId: string;
  value: ValueNodeFields;
  /** The expression a root was evaluated from. */
  expression?: string;
  /** The node this one was expanded from (none for roots). */
  parent?: ValueTreeNode;
  /** Set on the "…N more" placeholder of a long child list: the offset it continues at. */
  more?: { parent: ValueTreeNode; offset: number };
}

export interface TreeItemData {
  id: string;
  label: string;
  description: string;
  tooltip: string;
  collapsible: "none" | "collapsed";
  /** For menus: "root" (removable), "value", "more". */
  contextValue: "root" | "value" | "more";
}

/** Children fetched per value/children call, and shown before a "…more" node. */
export const PAGE = 200;

export function describeValue(value: ValueNodeFields): string {
  if (value.error) return `<${value.error.message}>`;
  const shown = value.value.string !== undefined ? JSON.stringify(value.value.string) : value.value.display;
  return value.value.symbol ? `${shown} <${value.value.symbol}>` : shown;
}

export class ValueTreeData {
  private roots: ValueTreeNode[] = [];
  private rootSerial = 0;

  constructor(private readonly rpc: Caller) {}

  get rootNodes(): readonly ValueTreeNode[] {
    return this.roots;
  }

  /** Evaluates `expression` over `dumpId` and adds it as a root; evaluation errors throw (RpcError). */
  async addRoot(dumpId: string, expression: string): Promise<ValueTreeNode> {
    const value = await this.rpc.call("value/evaluate", { dumpId, expression, depth: 0 });
    const node: ValueTreeNode = { id: `root-${this.rootSerial++}:${expression}`, dumpId, value, expression };
    this.roots.push(node);
    return node;
  }

  removeRoot(node: ValueTreeNode): void {
    this.roots = this.roots.filter((r) => r !== node);
  }

  /** Forgets every root (the dump closed or another one opened). */
  clear(): void {
    this.roots = [];
  }

  /** TreeDataProvider.getChildren: the roots, or a page of a node's children. */
  async getChildren(node?: ValueTreeNode): Promise<ValueTreeNode[]> {
    if (!node) return [...this.roots];
    if (node.more) return this.page(node.more.parent, node.more.offset, node);
    if (!node.value.hasChildren || node.value.handle === undefined) return [];
    return this.page(node, 0);
  }

  /** TreeDataProvider.getTreeItem, as plain data. */
  getItem(node: ValueTreeNode): TreeItemData {
    if (node.more) {
      const left = node.more.parent.value.childCount - node.more.offset;
      return { id: node.id, label: `… ${left} more`, description: "", tooltip: "expand for the next page", collapsible: "collapsed", contextValue: "more" };
    }
    const v = node.value;
    const address = v.address ? ` @ ${v.address}` : "";
    return {
      id: node.id,
      label: node.expression ?? v.name,
      description: `${describeValue(v)}  (${v.type})`,
      tooltip: `${v.type} ${node.expression ?? v.name}${address}${v.bitFieldSize ? ` : ${v.bitFieldSize} bits` : ""}\n= ${describeValue(v)}`,
      collapsible: v.hasChildren && v.handle !== undefined ? "collapsed" : "none",
      contextValue: node.expression !== undefined ? "root" : "value",
    };
  }

  /** TreeDataProvider.getParent (VS Code needs it to reveal a node). */
  getParent(node: ValueTreeNode): ValueTreeNode | undefined {
    return node.parent;
  }

  private moreNode(parent: ValueTreeNode, offset: number, under?: ValueTreeNode): ValueTreeNode {
    const node: ValueTreeNode = { id: `${parent.id}/more@${offset}`, dumpId: parent.dumpId, value: parent.value, more: { parent, offset } };
    if (under) node.parent = under;
    return node;
  }

  /** A page of `parent`'s children from `offset`, hung under `under` (parent, or the "more" node expanded). */
  private async page(parent: ValueTreeNode, offset: number, under: ValueTreeNode = parent): Promise<ValueTreeNode[]> {
    const page = await this.rpc.call("value/children", { dumpId: parent.dumpId, handle: parent.value.handle!, offset, limit: PAGE });
    const nodes: ValueTreeNode[] = page.children.map((child, i) => ({
      id: `${parent.id}/${offset + i}:${child.name}`,
      dumpId: parent.dumpId,
      value: child,
      parent: under,
    }));
    const next = offset + page.children.length;
    if (page.children.length > 0 && next < page.total) nodes.push(this.moreNode(parent, next, under));
    return nodes;
  }
}
