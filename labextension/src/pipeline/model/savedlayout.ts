/**
 * Where the editor keeps node positions in the CWL file: a namespaced extension field at the top level of
 * the workflow, with `$namespaces: {dl: https://datalabs.dev/cwl#}`:
 *
 *     dl:layout:
 *       nodes:
 *         - [make, 120, 80]            # step id, x, y
 *         - [input:message, -140, 80]  # workflow inputs and outputs: input:<id>, output:<id>
 *
 * CWL tools ignore namespaced fields (schema-salad's extension fields): cwltool validates such a file with
 * no warning, `cwltool --pack` carries the field along unchanged, and loading never looks the namespace up.
 * Positions are a list, not a map keyed by node id: schema-salad still walks an extension field's maps, and
 * reads keys named like CWL fields (`id`, `run`, `source`, `inputs`, ...) as those fields, which can make a
 * valid workflow fail validation or define ids twice.
 *
 * Files of the first editor versions kept positions in a `dl:Layout` *hint*; an unknown hint class makes
 * cwltool warn and (schema-salad's link check) send an HTTP HEAD to the namespace URL on every load, which
 * waits for a DNS timeout on machines without internet. Such files are read as before and moved to the
 * field by the first edit.
 */
import { Document, isMap, isScalar, isSeq, YAMLMap, YAMLSeq } from 'yaml';

import { INPUT_PREFIX, IPosition, OUTPUT_PREFIX } from './graph';
import { entries, toJS } from './yamlnodes';

export const LAYOUT_NAMESPACE = 'https://datalabs.dev/cwl#';
/** The field's local name: written `<prefix>:layout`, the prefix being the one `$namespaces` gives our namespace. */
export const LAYOUT_FIELD = 'layout';
/** The hint class of the old format (read, and migrated on the first edit). */
export const LEGACY_LAYOUT_CLASS = 'dl:Layout';
const PREFERRED_PREFIX = 'dl';

/** Sections of the old hint: steps under `nodes`, workflow inputs and outputs under `inputs` / `outputs`. */
const LEGACY_SECTIONS: [string, string][] = [['nodes', ''], ['inputs', INPUT_PREFIX], ['outputs', OUTPUT_PREFIX]];

/** The prefix `$namespaces` maps to our namespace, if any. */
function ourPrefix(root: YAMLMap): string | null {
  const ns = root.get('$namespaces', true);
  if (!isMap(ns)) {
    return null;
  }
  for (const pair of ns.items) {
    // keys and values are nodes when parsed, plain values when the editor added them
    const key = isScalar(pair.key) ? pair.key.value : pair.key;
    const value = isScalar(pair.value) ? pair.value.value : pair.value;
    if (typeof key === 'string' && value === LAYOUT_NAMESPACE) {
      return key;
    }
  }
  return null;
}

function isLegacyClass(v: unknown): boolean {
  return v === LEGACY_LAYOUT_CLASS || v === `${LAYOUT_NAMESPACE}Layout`;
}

/** Put a new top-level key before `before` (when present) so the document reads naturally. */
export function insertTopLevel(yaml: Document, root: YAMLMap, key: string, value: unknown, before: string): void {
  const pair = yaml.createPair(key, value);
  const idx = root.items.findIndex(p => isScalar(p.key) && p.key.value === before);
  if (idx >= 0) {
    root.items.splice(idx, 0, pair);
  } else {
    root.items.push(pair);
  }
}

/** The node positions of a workflow and their place in its YAML. */
export class SavedLayout {
  readonly positions = new Map<string, IPosition>();
  /** The layout moved or was created: the file must be written in full (no splice into the original text). */
  rewritten = false;
  /** The `[id, x, y]` entries of the field by node id. */
  private readonly items = new Map<string, YAMLSeq>();

  constructor(
    private readonly yaml: Document,
    private readonly root: YAMLMap
  ) {
    const field = this.field();
    if (field) {
      const list = field.get('nodes', true);
      for (const item of isSeq(list) ? list.items : []) {
        const v = toJS(item);
        if (isSeq(item) && Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'number' && typeof v[2] === 'number') {
          this.positions.set(v[0], { x: v[1], y: v[2] });
          this.items.set(v[0], item);
        }
      }
      return;
    }
    const legacy = this.legacyHint()?.node;
    for (const [section, prefix] of LEGACY_SECTIONS) {
      for (const e of entries(legacy?.get(section, true))) {
        const p = toJS(e.value) as Record<string, unknown> | undefined;
        if (p && typeof p.x === 'number' && typeof p.y === 'number') {
          this.positions.set(prefix + e.id, { x: p.x, y: p.y });
        }
      }
    }
  }

  /** Does the file keep its positions in the old `dl:Layout` hint? */
  get legacy(): boolean {
    return this.field() === null && this.legacyHint() !== null;
  }

  /** Move the positions of the old hint to the field (the file is then written in full). */
  migrate(): void {
    if (this.legacy) {
      this.nodeList();
    }
  }

  /** The `dl:layout` field (or the full-URI key a packed file has), or null. */
  field(): YAMLMap | null {
    const prefix = ourPrefix(this.root);
    for (const key of [prefix ? `${prefix}:${LAYOUT_FIELD}` : null, LAYOUT_NAMESPACE + LAYOUT_FIELD]) {
      const node = key ? this.root.get(key, true) : undefined;
      if (isMap(node)) {
        return node;
      }
    }
    return null;
  }

  private legacyHint(): { node: YAMLMap; remove: () => void } | null {
    const hints: unknown = this.root.get('hints', true);
    if (isSeq(hints)) {
      const idx = hints.items.findIndex(i => isMap(i) && isLegacyClass(i.get('class')));
      if (idx >= 0) {
        return { node: hints.items[idx] as YAMLMap, remove: () => hints.items.splice(idx, 1) };
      }
    } else if (isMap(hints)) {
      const pair = hints.items.find(p => isScalar(p.key) && isLegacyClass(p.key.value) && isMap(p.value));
      if (pair) {
        return { node: pair.value as YAMLMap, remove: () => hints.items.splice(hints.items.indexOf(pair), 1) };
      }
    }
    return null;
  }

  /** The field's list of positions: the field is created (with its namespace), or replaces the old hint, when needed. */
  private nodeList(): YAMLSeq {
    let field = this.field();
    if (!field) {
      this.rewritten = true;
      const legacy = this.legacyHint();
      if (legacy) {
        legacy.remove();
        const hints = this.root.get('hints', true);
        if ((isSeq(hints) || isMap(hints)) && hints.items.length === 0) {
          this.root.delete('hints');
        }
      }
      field = new YAMLMap();
      this.root.set(`${this.prefix()}:${LAYOUT_FIELD}`, field);
      this.items.clear();
      const list = new YAMLSeq();
      field.set('nodes', list);
      for (const [id, p] of this.positions) {
        this.append(list, id, p);
      }
      return list;
    }
    const list: unknown = field.get('nodes', true);
    if (isSeq(list)) {
      return list;
    }
    this.rewritten = true;
    const fresh = new YAMLSeq();
    field.set('nodes', fresh);
    return fresh;
  }

  /** The prefix of our namespace, declared in `$namespaces` when missing. */
  private prefix(): string {
    const known = ourPrefix(this.root);
    if (known !== null) {
      return known;
    }
    const ns = this.root.get('$namespaces', true);
    if (!isMap(ns)) {
      insertTopLevel(this.yaml, this.root, '$namespaces', this.yaml.createNode({ [PREFERRED_PREFIX]: LAYOUT_NAMESPACE }), 'inputs');
      return PREFERRED_PREFIX;
    }
    let prefix = PREFERRED_PREFIX;
    for (let i = 2; ns.has(prefix); i++) {
      prefix = `${PREFERRED_PREFIX}${i}`; // `dl` names another namespace in this file
    }
    ns.set(prefix, LAYOUT_NAMESPACE);
    return prefix;
  }

  private append(list: YAMLSeq, id: string, p: IPosition): void {
    const item = this.yaml.createNode([id, p.x, p.y], { flow: true }) as YAMLSeq;
    list.items.push(item);
    this.items.set(id, item);
  }

  set(nodeId: string, p: IPosition): void {
    const pos = { x: Math.round(p.x), y: Math.round(p.y) };
    this.positions.set(nodeId, pos);
    const list = this.nodeList();
    const item = this.items.get(nodeId);
    if (item && list.items.includes(item)) {
      item.items[1] = this.yaml.createNode(pos.x);
      item.items[2] = this.yaml.createNode(pos.y);
    } else {
      this.append(list, nodeId, pos);
    }
  }

  delete(nodeId: string): void {
    this.positions.delete(nodeId);
    const item = this.items.get(nodeId);
    this.items.delete(nodeId);
    const list = this.field()?.get('nodes', true);
    if (item && isSeq(list)) {
      const idx = list.items.indexOf(item);
      if (idx >= 0) {
        list.items.splice(idx, 1);
      }
    }
    const [section, key] = nodeId.startsWith(INPUT_PREFIX)
      ? ['inputs', nodeId.slice(INPUT_PREFIX.length)]
      : nodeId.startsWith(OUTPUT_PREFIX) ? ['outputs', nodeId.slice(OUTPUT_PREFIX.length)] : ['nodes', nodeId];
    const legacy = this.legacyHint()?.node.get(section, true);
    if (isMap(legacy)) {
      legacy.delete(key);
    }
  }

  /**
   * Only positions changed and the file already had the field: the field written anew into the original
   * text, every other byte as it was (fast, and the smallest possible diff). Null when that is not possible.
   */
  splice(original: string): string | null {
    const field = this.rewritten ? null : this.field();
    const range = field?.range;
    if (!field || !range) {
      return null;
    }
    const [start, end] = range;
    const lineStart = original.lastIndexOf('\n', start - 1) + 1;
    const indent = ' '.repeat(start - lineStart);
    const standalone = new Document();
    standalone.contents = field;
    const lines = standalone.toString({ lineWidth: 0 }).replace(/\n+$/, '').split('\n');
    const text = lines.map((l, i) => (i === 0 || l === '' ? l : indent + l)).join('\n');
    const ended = original[end - 1] === '\n';
    return original.slice(0, start) + text + (ended ? '\n' : '') + original.slice(end);
  }
}
