/**
 * Edits of a pipeline. Each is a function of the document's parts (YAML, graph index, saved layout) that
 * changes them in place and returns a typed result: done, with its value and the graph nodes it changed
 * (so validation re-checks only those and their neighbours, and views redraw only those), or refused with
 * a message for the user, having changed nothing.
 */
import { Document, isMap, isScalar, isSeq, YAMLMap } from 'yaml';

import { GraphIndex, INPUT_PREFIX, IPortRef, IPosition, ILink, OUTPUT_PREFIX } from './graph';
import { asStringList, processPorts, WorkflowReader } from './parse';
import { insertTopLevel, SavedLayout } from './savedlayout';
import { CwlType, toRaw } from './types';
import { checkConnection } from './validation';
import { addEntry, collection, expandEntry, findEntry, removeEntry, setField } from './yamlnodes';

/** The parts of a pipeline document an edit works on. */
export interface IPipelineParts {
  readonly yaml: Document.Parsed;
  readonly root: YAMLMap;
  readonly graph: GraphIndex;
  readonly layout: SavedLayout;
  readonly reader: WorkflowReader;
}

export interface IEditDone<T> {
  ok: true;
  value: T;
  /** Graph nodes whose content or links changed (their neighbours are re-checked too). */
  changed: string[];
  /** The edit was made but deserves attention (e.g. a link whose types may not fit at run time). */
  warning?: string;
}

export interface IEditRefused {
  ok: false;
  /** Why, for the user; the document was not changed. */
  message: string;
}

export type EditResult<T = void> = IEditDone<T> | IEditRefused;

export function done<T>(value: T, changed: Iterable<string>, warning?: string): IEditDone<T> {
  return { ok: true, value, changed: [...changed], warning };
}

export function refused(message: string): IEditRefused {
  return { ok: false, message };
}

/** Move the node positions of a file in the old format (`dl:Layout` hint) to the `dl:layout` field. */
export function migrateLayout(p: IPipelineParts): EditResult {
  if (!p.layout.legacy) {
    return refused('This pipeline keeps its layout in the current format already.');
  }
  p.layout.migrate();
  return done(undefined, []);
}

/** Steps copied to the clipboard: plain JS, with their positions. */
export interface ICopiedSteps {
  kind: 'datalabs-pipeline-steps';
  steps: { id: string; step: Record<string, unknown>; position?: IPosition }[];
}

// ------------------------------------------------------------------ helpers

function stepNode(p: IPipelineParts, id: string): YAMLMap | null {
  const e = findEntry(p.root.get('steps', true), id);
  return e && isMap(e.value) ? e.value : null;
}

/** Read a step again from the YAML into the graph index (removed from it when gone). */
function refreshStep(p: IPipelineParts, id: string): void {
  const e = findEntry(p.root.get('steps', true), id);
  p.graph.setStep(id, e ? p.reader.step(e) : undefined);
}

function writeStepSources(p: IPipelineParts, stepId: string, port: string, sources: string[]): void {
  const node = stepNode(p, stepId);
  if (!node) {
    return;
  }
  const coll = collection(p.yaml, node, 'in');
  const e = findEntry(coll, port);
  const value: unknown = sources.length === 0 ? undefined : sources.length === 1 ? sources[0] : sources;
  if (!e) {
    if (value !== undefined) {
      if (isSeq(coll)) {
        coll.items.push(p.yaml.createNode({ id: port, source: value }));
      } else {
        coll.set(port, p.yaml.createNode(value, { flow: true }));
      }
    }
    return;
  }
  if (isMap(e.value)) {
    setField(p.yaml, e.value, 'source', value, true);
    const rest = e.value.items.filter(i => !(isScalar(i.key) && i.key.value === 'id'));
    if (rest.length === 0) {
      removeEntry(e);
    }
  } else if (value === undefined) {
    removeEntry(e);
  } else if (e.pair) {
    e.pair.value = p.yaml.createNode(value, { flow: true });
  } else {
    expandEntry(p.yaml, e, 'source').set('source', value);
  }
}

function writeOutputSources(p: IPipelineParts, outputId: string, sources: string[]): void {
  const e = findEntry(p.root.get('outputs', true), outputId);
  if (!e || !p.graph.outputs.has(outputId)) {
    return;
  }
  const map = expandEntry(p.yaml, e, 'type');
  setField(p.yaml, map, 'outputSource', sources.length === 0 ? undefined : sources.length === 1 ? sources[0] : sources);
  p.graph.setOutput(outputId, p.reader.output(e));
}

/** Add `class: cls` to the workflow's requirements unless it is there. */
export function ensureRequirement(p: IPipelineParts, cls: string): void {
  const req = p.root.get('requirements', true);
  if (isSeq(req)) {
    if (!req.items.some(i => isMap(i) && i.get('class') === cls)) {
      req.items.push(p.yaml.createNode({ class: cls }));
    }
  } else if (isMap(req)) {
    if (!req.has(cls)) {
      req.set(cls, p.yaml.createNode({}, { flow: true }));
    }
  } else {
    const map = new YAMLMap();
    map.set(cls, p.yaml.createNode({}, { flow: true }));
    insertTopLevel(p.yaml, p.root, 'requirements', map, 'inputs');
  }
}

// -------------------------------------------------------------------- edits

/** Connect a port to a step input or a workflow output; refused (with a message) when types or cycles forbid it. */
export function connect(p: IPipelineParts, source: IPortRef, target: IPortRef): EditResult {
  const check = checkConnection(p.graph, source, target);
  if (!check.ok) {
    return check;
  }
  const src = p.graph.sourceOf(source);
  if (target.node.startsWith(OUTPUT_PREFIX)) {
    const oid = target.node.slice(OUTPUT_PREFIX.length);
    const o = p.graph.outputs.get(oid)!;
    const map = expandEntry(p.yaml, findEntry(p.root.get('outputs', true), oid)!, 'type');
    if (!o.declaredType || (o.type.kind === 'primitive' && o.type.name === 'Any')) {
      setField(p.yaml, map, 'type', toRaw(check.sourceType));
    }
    const before = o.sources.map(s => p.graph.resolveSource(s)?.node).filter((n): n is string => !!n);
    writeOutputSources(p, oid, [src]);
    return done(undefined, [target.node, source.node, ...before]);
  }
  const step = p.graph.steps.get(target.node)!;
  const before = (step.ins.get(target.port)?.sources ?? []).map(s => p.graph.resolveSource(s)?.node).filter((n): n is string => !!n);
  writeStepSources(p, step.id, target.port, [src]);
  refreshStep(p, step.id);
  return done(undefined, [step.id, source.node, ...before], check.warning);
}

/** Remove a link. */
export function disconnect(p: IPipelineParts, link: ILink): EditResult {
  const src = p.graph.sourceOf(link.source);
  if (link.target.node.startsWith(OUTPUT_PREFIX)) {
    const oid = link.target.node.slice(OUTPUT_PREFIX.length);
    const o = p.graph.outputs.get(oid);
    if (!o || !o.sources.includes(src)) {
      return refused(`There is no link from ${src} to workflow output "${oid}".`);
    }
    writeOutputSources(p, oid, o.sources.filter(s => s !== src));
  } else {
    const inp = p.graph.steps.get(link.target.node)?.ins.get(link.target.port);
    if (!inp || !inp.sources.includes(src)) {
      return refused(`There is no link from ${src} to ${link.target.node}/${link.target.port}.`);
    }
    writeStepSources(p, link.target.node, inp.id, inp.sources.filter(s => s !== src));
    refreshStep(p, link.target.node);
  }
  return done(undefined, [link.target.node, link.source.node]);
}

/** Set (or clear, with undefined) the value a step input gets when nothing is linked to it. */
export function setStepDefault(p: IPipelineParts, stepId: string, portId: string, value: unknown): EditResult {
  const node = stepNode(p, stepId);
  if (!node) {
    return refused(`There is no step "${stepId}".`);
  }
  const coll = collection(p.yaml, node, 'in');
  const e = findEntry(coll, portId);
  if (!e) {
    if (value === undefined) {
      return done(undefined, []);
    }
    addEntry(p.yaml, coll, portId, { default: value });
  } else {
    const map = expandEntry(p.yaml, e, 'source');
    setField(p.yaml, map, 'default', value, true);
    if (map.items.filter(i => !(isScalar(i.key) && i.key.value === 'id')).length === 0) {
      removeEntry(findEntry(coll, portId)!);
    }
  }
  refreshStep(p, stepId);
  return done(undefined, [stepId]);
}

/** Scatter a step over some of its inputs ([] to stop scattering). */
export function setScatter(p: IPipelineParts, stepId: string, ports: string[], method?: string): EditResult {
  const node = stepNode(p, stepId);
  if (!node) {
    return refused(`There is no step "${stepId}".`);
  }
  if (ports.length === 0) {
    node.delete('scatter');
    node.delete('scatterMethod');
  } else {
    setField(p.yaml, node, 'scatter', ports.length === 1 ? ports[0] : ports, true);
    setField(p.yaml, node, 'scatterMethod', ports.length > 1 ? method ?? 'dotproduct' : undefined);
    ensureRequirement(p, 'ScatterFeatureRequirement');
  }
  refreshStep(p, stepId);
  return done(undefined, [stepId]);
}

/** Set or clear a step's label. */
export function setLabel(p: IPipelineParts, stepId: string, label: string): EditResult {
  const node = stepNode(p, stepId);
  if (!node) {
    return refused(`There is no step "${stepId}".`);
  }
  setField(p.yaml, node, 'label', label === '' ? undefined : label);
  refreshStep(p, stepId);
  return done(undefined, [stepId]);
}

/** A new workflow input; with `feeds`, it is linked to that step input. Its value is the new id. */
export function addInput(
  p: IPipelineParts, baseId: string, type: CwlType, defaultValue?: unknown, feeds?: IPortRef, position?: IPosition
): EditResult<string> {
  const id = p.graph.uniqueId(baseId);
  const fields: Record<string, unknown> = { type: toRaw(type) };
  if (defaultValue !== undefined) {
    fields.default = defaultValue;
  }
  const coll = collection(p.yaml, p.root, 'inputs');
  addEntry(p.yaml, coll, id, fields);
  p.graph.setInput(id, p.reader.input(findEntry(coll, id)!));
  if (position) {
    p.layout.set(INPUT_PREFIX + id, position);
  }
  const changed = [INPUT_PREFIX + id];
  if (feeds) {
    const link = connect(p, { node: INPUT_PREFIX + id, port: id }, feeds);
    if (!link.ok) {
      return done(id, changed, link.message);
    }
    changed.push(...link.changed);
    return done(id, changed, link.warning);
  }
  return done(id, changed);
}

/** Change a workflow input's type and default (undefined default removes it). */
export function updateInput(p: IPipelineParts, id: string, type: CwlType, defaultValue: unknown): EditResult {
  const e = findEntry(p.root.get('inputs', true), id);
  if (!e) {
    return refused(`There is no workflow input "${id}".`);
  }
  const map = expandEntry(p.yaml, e, 'type');
  setField(p.yaml, map, 'type', toRaw(type));
  setField(p.yaml, map, 'default', defaultValue);
  p.graph.setInput(id, p.reader.input(e));
  return done(undefined, [INPUT_PREFIX + id]);
}

/** A new workflow output; with `from`, linked to that port and typed after it. Its value is the new id. */
export function addOutput(p: IPipelineParts, baseId: string, from?: IPortRef, position?: IPosition): EditResult<string> {
  const id = p.graph.uniqueId(baseId);
  const coll = collection(p.yaml, p.root, 'outputs');
  const t = from ? p.graph.sourceType(p.graph.sourceOf(from)) : null;
  addEntry(p.yaml, coll, id, { type: t ? toRaw(t) : 'Any' });
  const o = p.reader.output(findEntry(coll, id)!);
  o.declaredType = t !== null;
  p.graph.setOutput(id, o);
  if (position) {
    p.layout.set(OUTPUT_PREFIX + id, position);
  }
  const changed = [OUTPUT_PREFIX + id];
  if (from) {
    const link = connect(p, from, { node: OUTPUT_PREFIX + id, port: id });
    if (!link.ok) {
      return done(id, changed, link.message);
    }
    changed.push(...link.changed);
  }
  return done(id, changed);
}

/** Add a step running `asset` (a CWL process object, embedded inline). Its value is the new step id. */
export function addStep(p: IPipelineParts, asset: Record<string, unknown>, baseId: string, position?: IPosition): EditResult<string> {
  const id = p.graph.uniqueId(baseId);
  // embedded inline: the workflow's cwlVersion applies, namespaces move to the top of the document
  const { cwlVersion: _v, id: _id, $namespaces: ns, ...tool } = asset;
  void _v;
  void _id;
  if (ns && typeof ns === 'object') {
    const top = p.root.get('$namespaces', true);
    if (isMap(top)) {
      for (const [k, v] of Object.entries(ns as Record<string, unknown>)) {
        if (!top.has(k)) {
          top.set(k, v);
        }
      }
    } else {
      insertTopLevel(p.yaml, p.root, '$namespaces', p.yaml.createNode(ns), 'inputs');
    }
  }
  const outs = processPorts(tool).outPorts.map(port => port.id);
  const coll = collection(p.yaml, p.root, 'steps');
  const node = addEntry(p.yaml, coll, id, { run: tool, in: isSeq(coll) ? [] : {}, out: outs });
  const outNode = node.get('out', true);
  if (isSeq(outNode)) {
    outNode.flow = true;
  }
  if (tool.class === 'Workflow') {
    ensureRequirement(p, 'SubworkflowFeatureRequirement');
  }
  refreshStep(p, id);
  if (position) {
    p.layout.set(id, position);
  }
  return done(id, [id]);
}

/** Add several steps (files dropped together), one below the other. Their value is the new ids. */
export function addSteps(
  p: IPipelineParts, steps: { tool: Record<string, unknown>; baseId: string }[], position: IPosition, spacing = 120
): EditResult<string[]> {
  const ids: string[] = [];
  steps.forEach((s, i) => {
    const r = addStep(p, s.tool, s.baseId, { x: position.x, y: position.y + i * spacing });
    if (r.ok) {
      ids.push(r.value);
    }
  });
  return done(ids, ids);
}

/** Remove steps, workflow inputs and outputs, the links to and from them, and their positions. */
export function removeNodes(p: IPipelineParts, ids: string[]): EditResult {
  const g = p.graph;
  const changed = new Set<string>();
  for (const id of ids) {
    g.consumersOf(id).forEach(c => changed.add(c));
    g.producersOf(id).forEach(n => changed.add(n));
  }
  for (const id of ids) {
    if (id.startsWith(INPUT_PREFIX) || g.steps.has(id)) {
      const prefix = id.startsWith(INPUT_PREFIX) ? id.slice(INPUT_PREFIX.length) : `${id}/`;
      const matches = (s: string) => (id.startsWith(INPUT_PREFIX) ? s === prefix : s.startsWith(prefix));
      for (const c of g.consumersOf(id)) {
        if (c.startsWith(OUTPUT_PREFIX)) {
          const o = g.outputs.get(c.slice(OUTPUT_PREFIX.length));
          if (o) {
            writeOutputSources(p, o.id, o.sources.filter(s => !matches(s)));
          }
        } else if (g.steps.has(c) && !ids.includes(c)) {
          for (const inp of g.steps.get(c)!.ins.values()) {
            if (inp.sources.some(matches)) {
              writeStepSources(p, c, inp.id, inp.sources.filter(s => !matches(s)));
            }
          }
          refreshStep(p, c);
        }
      }
    }
    if (id.startsWith(INPUT_PREFIX)) {
      const iid = id.slice(INPUT_PREFIX.length);
      const e = findEntry(p.root.get('inputs', true), iid);
      if (e) {
        removeEntry(e);
      }
      g.setInput(iid, undefined);
    } else if (id.startsWith(OUTPUT_PREFIX)) {
      const oid = id.slice(OUTPUT_PREFIX.length);
      const e = findEntry(p.root.get('outputs', true), oid);
      if (e) {
        removeEntry(e);
      }
      g.setOutput(oid, undefined);
    } else {
      const e = findEntry(p.root.get('steps', true), id);
      if (e) {
        removeEntry(e);
      }
      refreshStep(p, id);
    }
    p.layout.delete(id);
    changed.add(id);
  }
  return done(undefined, changed);
}

/** Delete nodes and links together (a selection): links between surviving nodes are removed one by one. */
export function deleteSelection(p: IPipelineParts, nodes: string[], links: ILink[]): EditResult {
  const changed: string[] = [];
  for (const l of links) {
    if (!nodes.includes(l.source.node) && !nodes.includes(l.target.node)) {
      const r = disconnect(p, l);
      if (r.ok) {
        changed.push(...r.changed);
      }
    }
  }
  const r = removeNodes(p, nodes);
  return done(undefined, [...changed, ...(r.ok ? r.changed : [])]);
}

/** The steps as plain JS, for the clipboard; links between copied steps are kept by paste. */
export function copySteps(p: IPipelineParts, ids: string[]): ICopiedSteps {
  const steps: ICopiedSteps['steps'] = [];
  for (const id of ids) {
    const node = stepNode(p, id);
    if (node) {
      steps.push({ id, step: node.toJSON() as Record<string, unknown>, position: p.layout.positions.get(id) });
    }
  }
  return { kind: 'datalabs-pipeline-steps', steps };
}

/** Paste copied steps with fresh ids; links to steps that were not copied are dropped. Its value is the new ids. */
export function pasteSteps(p: IPipelineParts, clip: ICopiedSteps, offset: IPosition = { x: 40, y: 40 }): EditResult<string[]> {
  if (clip.steps.length === 0) {
    return refused('Nothing to paste: select steps and copy them first.');
  }
  const rename = new Map<string, string>();
  const reserved = new Set<string>();
  for (const s of clip.steps) {
    const id = p.graph.uniqueId(s.id, reserved);
    rename.set(s.id, id);
    reserved.add(id); // so the next copy gets another id
  }
  const coll = collection(p.yaml, p.root, 'steps');
  const created: string[] = [];
  const remap = (src: unknown): unknown => {
    const list = asStringList(src)
      .map(x => {
        const slash = x.indexOf('/');
        if (slash < 0) {
          return p.graph.inputs.has(x) ? x : null;
        }
        const to = rename.get(x.slice(0, slash));
        return to ? `${to}${x.slice(slash)}` : null;
      })
      .filter((x): x is string => x !== null);
    return list.length === 0 ? undefined : list.length === 1 ? list[0] : list;
  };
  for (const s of clip.steps) {
    const id = rename.get(s.id)!;
    const step = JSON.parse(JSON.stringify(s.step)) as Record<string, unknown>;
    delete step.id;
    const ins = step.in;
    if (Array.isArray(ins)) {
      step.in = ins
        .map(i => ({ ...(i as Record<string, unknown>), source: remap((i as Record<string, unknown>).source) }))
        .map(i => (i.source === undefined ? (delete i.source, i) : i))
        .filter(i => Object.keys(i).length > 1);
    } else if (ins && typeof ins === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(ins as Record<string, unknown>)) {
        if (v && typeof v === 'object' && !Array.isArray(v)) {
          const full = { ...(v as Record<string, unknown>) };
          const src = remap(full.source);
          if (src === undefined) {
            delete full.source;
          } else {
            full.source = src;
          }
          if (Object.keys(full).length > 0) {
            out[k] = full;
          }
        } else {
          const src = remap(v);
          if (src !== undefined) {
            out[k] = src;
          }
        }
      }
      step.in = out;
    }
    addEntry(p.yaml, coll, id, step);
    created.push(id);
  }
  for (const id of created) {
    refreshStep(p, id);
  }
  for (const s of clip.steps) {
    const pos = s.position ?? { x: 0, y: 0 };
    p.layout.set(rename.get(s.id)!, { x: pos.x + offset.x, y: pos.y + offset.y });
  }
  return done(created, created);
}
