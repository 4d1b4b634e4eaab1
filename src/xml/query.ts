import type { XmlNode } from './safe-xml.js';

/** Namespace-prefix-agnostic lookups: vendors use any prefix (or none) for the same element. */
export function child(node: XmlNode | undefined, local: string): XmlNode | undefined {
  return node?.children.find((c) => c.local === local);
}

export function childrenNamed(node: XmlNode | undefined, local: string): XmlNode[] {
  return node ? node.children.filter((c) => c.local === local) : [];
}

/** Follows a path of local names from `node`, first match at each step. */
export function path(node: XmlNode | undefined, ...locals: string[]): XmlNode | undefined {
  let current = node;
  for (const local of locals) {
    current = child(current, local);
    if (!current) return undefined;
  }
  return current;
}

/** Depth-first search for the first element with this local name (including `node` itself). */
export function findFirst(node: XmlNode | undefined, local: string): XmlNode | undefined {
  if (!node) return undefined;
  if (node.local === local) return node;
  for (const c of node.children) {
    const hit = findFirst(c, local);
    if (hit) return hit;
  }
  return undefined;
}

export function findAll(node: XmlNode | undefined, local: string, out: XmlNode[] = []): XmlNode[] {
  if (!node) return out;
  if (node.local === local) out.push(node);
  for (const c of node.children) findAll(c, local, out);
  return out;
}

/** Text content with surrounding formatting whitespace removed; inner content verbatim. */
export function textOf(node: XmlNode | undefined): string | undefined {
  return node === undefined ? undefined : node.text.trim();
}

export function attr(node: XmlNode | undefined, local: string): string | undefined {
  if (!node) return undefined;
  for (const [k, v] of Object.entries(node.attrs)) {
    const i = k.indexOf(':');
    const name = i < 0 ? k : k.slice(i + 1);
    if (name === local && !k.startsWith('xmlns')) return v;
  }
  return undefined;
}

export function splitWhitespace(value: string | undefined): string[] {
  if (!value) return [];
  return value.split(/\s+/).filter((s) => s.length > 0);
}

/** Namespace URI of a QName prefix, looked up on the element and its ancestors (outermost last). */
export function resolvePrefix(chain: readonly XmlNode[], prefix: string): string | undefined {
  const key = prefix === '' ? 'xmlns' : `xmlns:${prefix}`;
  for (let i = chain.length - 1; i >= 0; i--) {
    const v = chain[i]?.attrs[key];
    if (v !== undefined) return v;
  }
  return undefined;
}

/** Ancestor chain from `root` to `target` (inclusive), or undefined when target is not under root. */
export function chainTo(root: XmlNode, target: XmlNode): XmlNode[] | undefined {
  if (root === target) return [root];
  for (const c of root.children) {
    const sub = chainTo(c, target);
    if (sub) return [root, ...sub];
  }
  return undefined;
}
