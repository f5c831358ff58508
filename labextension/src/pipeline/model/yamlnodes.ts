/**
 * Reading and writing CWL "id collections" in a `yaml` Document without losing what the editor does not
 * know: CWL writes inputs, outputs, steps, step `in` and `out` either as a map keyed by id or as a list
 * of entries with an `id` field (or plain strings). These helpers hide the two forms.
 */
import { Document, isMap, isScalar, isSeq, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';

export type Node = unknown;

export interface IEntry {
  id: string;
  /** The entry's value: a map (full form), a scalar (shortcut) or a sequence. */
  value: Node;
  /** Where the entry lives, to edit or delete it. */
  owner: YAMLMap | YAMLSeq;
  pair?: Pair;
}

/** `#main/step` -> `step`; `file.cwl#x` -> `x`. */
export function shortId(raw: string): string {
  const afterHash = raw.includes('#') ? raw.slice(raw.lastIndexOf('#') + 1) : raw;
  return afterHash.slice(afterHash.lastIndexOf('/') + 1);
}

export function scalarValue(node: Node): unknown {
  return isScalar(node) ? node.value : undefined;
}

/** The entries of an id collection (map or list form); [] for anything else. */
export function entries(node: Node): IEntry[] {
  const out: IEntry[] = [];
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      out.push({ id: String(key), value: pair.value, owner: node, pair });
    }
  } else if (isSeq(node)) {
    for (const item of node.items) {
      if (isMap(item)) {
        const id = item.get('id');
        out.push({ id: shortId(String(id ?? '')), value: item, owner: node });
      } else if (isScalar(item)) {
        out.push({ id: shortId(String(item.value)), value: item, owner: node });
      }
    }
  }
  return out;
}

export function findEntry(node: Node, id: string): IEntry | undefined {
  return entries(node).find(e => e.id === id);
}

/** Field of an entry in full form; for a shortcut scalar, `shortcutField` names what the scalar means. */
export function entryField(entry: IEntry, field: string, shortcutField: string): unknown {
  if (isMap(entry.value)) {
    const v = entry.value.get(field, true);
    return v === undefined ? undefined : toJS(v);
  }
  if (field === shortcutField) {
    return toJS(entry.value);
  }
  return undefined;
}

export function toJS(node: Node): unknown {
  if (node && typeof node === 'object' && 'toJSON' in (node as object)) {
    return (node as { toJSON: () => unknown }).toJSON();
  }
  return node;
}

export function removeEntry(entry: IEntry): void {
  if (entry.pair) {
    (entry.owner as YAMLMap).items.splice((entry.owner as YAMLMap).items.indexOf(entry.pair), 1);
  } else {
    const seq = entry.owner as YAMLSeq;
    seq.items.splice(seq.items.indexOf(entry.value), 1);
  }
}

/**
 * Make the entry full form (a map) so fields can be set; a shortcut scalar becomes `{<shortcutField>: value}`.
 */
export function expandEntry(doc: Document, entry: IEntry, shortcutField: string): YAMLMap {
  if (isMap(entry.value)) {
    return entry.value;
  }
  const full = new YAMLMap();
  if (entry.owner instanceof YAMLSeq || isSeq(entry.owner)) {
    full.set('id', entry.id);
    if (isScalar(entry.value) && shortcutField === 'id') {
      // a plain string in a list (step `out`): the id is all it says
    } else if (entry.value !== undefined && entry.value !== null) {
      full.set(shortcutField, entry.value);
    }
    const seq = entry.owner as YAMLSeq;
    seq.items[seq.items.indexOf(entry.value)] = full;
  } else {
    if (entry.value !== undefined && entry.value !== null && !(isScalar(entry.value) && entry.value.value === null)) {
      full.set(shortcutField, entry.value);
    }
    entry.pair!.value = full;
  }
  entry.value = full;
  void doc;
  return full;
}

/** Get the collection at `key` of `map`, creating an empty map-form one when missing. */
export function collection(doc: Document, map: YAMLMap, key: string): YAMLMap | YAMLSeq {
  const node = map.get(key, true);
  if (isMap(node) || isSeq(node)) {
    return node;
  }
  const created = new YAMLMap();
  if (key === 'out') {
    const seq = new YAMLSeq();
    seq.flow = true;
    map.set(key, seq);
    return seq;
  }
  map.set(key, created);
  void doc;
  return created;
}

/** Add an entry with fields (map form: `id: {fields}`, list form: `{id, ...fields}`); returns its map. */
export function addEntry(doc: Document, coll: YAMLMap | YAMLSeq, id: string, fields: Record<string, unknown>): YAMLMap {
  if (coll.flow && (coll.items.length === 0 || Object.values(fields).some(v => v !== null && typeof v === 'object'))) {
    // `inputs: {}` grows into a block: nested tools in flow style are unreadable (and PyYAML rejects `string?` there)
    coll.flow = false;
  }
  if (isSeq(coll)) {
    const node = doc.createNode({ id, ...fields }) as YAMLMap;
    coll.items.push(node);
    return node;
  }
  const node = doc.createNode(fields) as YAMLMap;
  coll.set(new Scalar(id), node);
  return node;
}

/** Set a field, or delete it when value is undefined. Keeps the field's position when it exists. */
export function setField(doc: Document, map: YAMLMap, key: string, value: unknown, flow = false): void {
  if (value === undefined) {
    map.delete(key);
    return;
  }
  const node = doc.createNode(value, { flow });
  map.set(key, node);
}
