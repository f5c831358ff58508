/**
 * The pipeline document: a CWL v1.2 Workflow held as a `yaml` Document (comments, key order and fields
 * the editor does not understand survive), plus an index of steps, ports and links that every edit
 * updates for the nodes it touches only. Live validation runs per node from that index.
 */
import { Document, isMap, isScalar, isSeq, parseDocument, YAMLMap, YAMLSeq } from 'yaml';

import {
  ANY,
  arrayOf,
  checkLink,
  CwlType,
  formatType,
  isOptional,
  itemsOf,
  parseType,
  toRaw,
  withoutNull
} from './types';
import {
  addEntry,
  collection,
  entries,
  entryField,
  expandEntry,
  findEntry,
  IEntry,
  removeEntry,
  setField,
  shortId,
  toJS
} from './yamlnodes';

export const LAYOUT_NAMESPACE = 'https://datalabs.dev/cwl#';
export const LAYOUT_CLASS = 'dl:Layout';
/** Larger files open as text only: the editor keeps the whole document in memory twice. */
export const MAX_EDITOR_BYTES = 4 * 1024 * 1024;
export const SUPPORTED_VERSIONS = ['v1.0', 'v1.1', 'v1.2'];
const ID_RE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export const INPUT_PREFIX = 'input:';
export const OUTPUT_PREFIX = 'output:';

export interface IPosition {
  x: number;
  y: number;
}

export interface IPort {
  id: string;
  type: CwlType;
  /** No default and not optional: a value must come from a link or a step default. */
  required: boolean;
  label?: string;
  doc?: string;
}

export interface IStepInput {
  id: string;
  sources: string[];
  default?: unknown;
  valueFrom?: string;
  linkMerge?: string;
  pickValue?: string;
}

export interface IStep {
  id: string;
  label: string;
  /** `inline` when the tool is written in the step, `ref` when `run:` names a file. */
  run: 'inline' | 'ref';
  runClass: string;
  runRef?: string;
  toolDoc?: string;
  inPorts: IPort[];
  outPorts: IPort[];
  ins: Map<string, IStepInput>;
  scatter: string[];
  scatterMethod?: string;
  when?: string;
}

export interface IWorkflowInput extends IPort {
  default?: unknown;
}

export interface IWorkflowOutput {
  id: string;
  type: CwlType;
  declaredType: boolean;
  sources: string[];
  label?: string;
}

export interface IProblem {
  severity: 'error' | 'warning';
  /** Graph node id (step id, `input:<id>`, `output:<id>`) or undefined for the whole document. */
  node?: string;
  port?: string;
  message: string;
  source: 'editor' | 'cwltool';
  line?: number;
  column?: number;
}

export interface ILoadError {
  kind: 'too-large' | 'yaml' | 'not-workflow' | 'version' | 'structure';
  message: string;
  line?: number;
  column?: number;
}

export type LoadResult = { ok: true; document: PipelineDocument } | { ok: false; error: ILoadError };

export interface IEditResult {
  ok: boolean;
  message?: string;
  /** Set when the link was made but deserves attention. */
  warning?: string;
}

/** A reference to a port of a graph node. */
export interface IPortRef {
  node: string;
  port: string;
}

export interface ILink {
  id: string;
  source: IPortRef;
  target: IPortRef;
}

/**
 * Where the layout hint keeps a node's position: steps under `nodes` (keyed by step id), workflow inputs
 * and outputs under `inputs` / `outputs` (keys without a colon: schema-salad would read `a:b` as a CURIE).
 */
const LAYOUT_SECTIONS: [string, string][] = [['nodes', ''], ['inputs', 'input:'], ['outputs', 'output:']];

function layoutSlot(nodeId: string): [string, string] {
  if (nodeId.startsWith(INPUT_PREFIX)) {
    return ['inputs', nodeId.slice(INPUT_PREFIX.length)];
  }
  if (nodeId.startsWith(OUTPUT_PREFIX)) {
    return ['outputs', nodeId.slice(OUTPUT_PREFIX.length)];
  }
  return ['nodes', nodeId];
}

export const NEW_PIPELINE = `cwlVersion: v1.2
class: Workflow
label: New pipeline
$namespaces:
  dl: ${LAYOUT_NAMESPACE}
inputs: {}
outputs: {}
steps: {}
`;

function asStringList(v: unknown): string[] {
  if (v === undefined || v === null) {
    return [];
  }
  return (Array.isArray(v) ? v : [v]).map(s => String(s).replace(/^#/, ''));
}

function hasNoDefault(v: unknown): boolean {
  return v === undefined || v === null;
}

/** Ports of a CWL process (tool, expression tool or workflow) given as plain JS. */
export function processPorts(run: Record<string, unknown>): { inPorts: IPort[]; outPorts: IPort[] } {
  const read = (raw: unknown, isInput: boolean): IPort[] => {
    const list: IPort[] = [];
    const push = (id: string, spec: unknown) => {
      const full = spec && typeof spec === 'object' && !Array.isArray(spec) && 'type' in (spec as object)
        ? (spec as Record<string, unknown>)
        : { type: spec };
      const type = parseType(full.type);
      list.push({
        id: shortId(id),
        type,
        required: isInput ? !isOptional(type) && hasNoDefault(full.default) : false,
        label: typeof full.label === 'string' ? full.label : undefined,
        doc: typeof full.doc === 'string' ? full.doc : undefined
      });
    };
    if (Array.isArray(raw)) {
      for (const item of raw) {
        if (item && typeof item === 'object') {
          push(String((item as Record<string, unknown>).id ?? ''), item);
        } else if (typeof item === 'string') {
          push(item, ANY);
        }
      }
    } else if (raw && typeof raw === 'object') {
      for (const [id, spec] of Object.entries(raw as Record<string, unknown>)) {
        push(id, spec);
      }
    }
    return list;
  };
  return { inPorts: read(run.inputs, true), outPorts: read(run.outputs, false) };
}

export class PipelineDocument {
  readonly yaml: Document.Parsed;
  readonly steps = new Map<string, IStep>();
  readonly inputs = new Map<string, IWorkflowInput>();
  readonly outputs = new Map<string, IWorkflowOutput>();
  readonly positions = new Map<string, IPosition>();
  /** Problems per graph node, kept current by every edit. */
  readonly problems = new Map<string, IProblem[]>();
  documentProblems: IProblem[] = [];
  /** Incremented for each node an edit touches, so views redraw only those. */
  readonly nodeVersions = new Map<string, number>();
  /** Source reference (`step/port` or input id) -> graph nodes reading it. */
  private readonly consumers = new Map<string, Set<string>>();
  private readonly original: string;
  private modified = false;
  /** Set by any edit other than moving nodes in an existing layout hint. */
  private structural = false;

  private constructor(yaml: Document.Parsed, text: string) {
    this.yaml = yaml;
    this.original = text;
    this.index();
  }

  /** Parse CWL text; the error says what is wrong and where, the document is not touched. */
  static parse(text: string): LoadResult {
    const bytes = new TextEncoder().encode(text).length;
    if (bytes > MAX_EDITOR_BYTES) {
      return {
        ok: false,
        error: {
          kind: 'too-large',
          message: `This file is ${(bytes / 1024 / 1024).toFixed(1)} MB; the pipeline editor opens files up to ` +
            `${MAX_EDITOR_BYTES / 1024 / 1024} MB. Open it as text, or split it into subworkflows.`
        }
      };
    }
    const yaml = parseDocument(text, { prettyErrors: true, keepSourceTokens: false });
    if (yaml.errors.length > 0) {
      const e = yaml.errors[0];
      const pos = e.linePos?.[0];
      return {
        ok: false,
        error: {
          kind: 'yaml',
          message: `This file is not valid YAML: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '').replace(/:$/, '')}.`,
          line: pos?.line,
          column: pos?.col
        }
      };
    }
    const root: unknown = yaml.contents;
    if (!isMap(root)) {
      return {
        ok: false,
        error: { kind: 'not-workflow', message: 'This file is not a CWL document: its top level is not a mapping with `class: Workflow`.' }
      };
    }
    const cls = root.get('class');
    if (cls !== 'Workflow') {
      const what = cls === undefined ? 'has no `class`' : `is a CWL ${String(cls)}`;
      return {
        ok: false,
        error: {
          kind: 'not-workflow',
          message: `This file ${what}, not a Workflow; the pipeline editor opens Workflows only.` +
            (cls === 'CommandLineTool' ? ' Add the tool to the palette or drop it into a pipeline instead.' : '')
        }
      };
    }
    const version = root.get('cwlVersion');
    if (typeof version !== 'string' || !SUPPORTED_VERSIONS.includes(version)) {
      return {
        ok: false,
        error: {
          kind: 'version',
          message: `cwlVersion ${version === undefined ? 'is missing' : `"${String(version)}" is not supported`}: ` +
            `the editor knows ${SUPPORTED_VERSIONS.join(', ')} (it writes v1.2).`
        }
      };
    }
    for (const key of ['inputs', 'outputs', 'steps']) {
      const node = root.get(key, true);
      if (node !== undefined && !isMap(node) && !isSeq(node) && !(isScalar(node) && node.value === null)) {
        return { ok: false, error: { kind: 'structure', message: `\`${key}\` must be a mapping or a list.` } };
      }
    }
    return { ok: true, document: new PipelineDocument(yaml, text) };
  }

  /** A document from a plain JS Workflow object (Elyra import, generated pipelines). */
  static fromObject(obj: Record<string, unknown>): PipelineDocument {
    const text = new Document(obj).toString({ lineWidth: 0 });
    const result = PipelineDocument.parse(text);
    if (!result.ok) {
      throw new Error(result.error.message);
    }
    return result.document;
  }

  get root(): YAMLMap {
    return this.yaml.contents as unknown as YAMLMap;
  }

  get isModified(): boolean {
    return this.modified;
  }

  get label(): string {
    const l = this.root.get('label');
    return typeof l === 'string' ? l : '';
  }

  /** The CWL text: byte-identical to what was read while nothing was edited. */
  serialize(): string {
    if (!this.modified) {
      return this.original;
    }
    if (!this.structural) {
      const spliced = this.spliceLayout();
      if (spliced !== null) {
        return spliced;
      }
    }
    return this.yaml.toString({ lineWidth: 0 });
  }

  /**
   * Only nodes were moved and the file already had a layout hint: write the hint anew into the original
   * text and leave every other byte as it was (fast, and the smallest possible diff).
   */
  private spliceLayout(): string | null {
    const layout = this.layoutNode(false);
    const range = layout?.range;
    if (!layout || !range) {
      return null;
    }
    const [start, end] = range;
    const lineStart = this.original.lastIndexOf('\n', start - 1) + 1;
    const indent = ' '.repeat(start - lineStart);
    const standalone = new Document();
    standalone.contents = layout;
    const lines = standalone.toString({ lineWidth: 0 }).replace(/\n+$/, '').split('\n');
    const text = lines.map((l, i) => (i === 0 || l === '' ? l : indent + l)).join('\n');
    const ended = this.original[end - 1] === '\n';
    return this.original.slice(0, start) + text + (ended ? '\n' : '') + this.original.slice(end);
  }

  // ------------------------------------------------------------------ index

  private index(): void {
    this.steps.clear();
    this.inputs.clear();
    this.outputs.clear();
    this.consumers.clear();
    this.positions.clear();
    for (const e of entries(this.root.get('inputs', true))) {
      this.inputs.set(e.id, this.readInput(e));
    }
    for (const e of entries(this.root.get('steps', true))) {
      this.steps.set(e.id, this.readStep(e));
    }
    for (const e of entries(this.root.get('outputs', true))) {
      this.outputs.set(e.id, this.readOutput(e));
    }
    for (const step of this.steps.values()) {
      this.addConsumers(step.id, step);
    }
    for (const out of this.outputs.values()) {
      for (const s of out.sources) {
        this.consume(s, OUTPUT_PREFIX + out.id);
      }
    }
    const layout = this.layoutNode(false);
    for (const [section, prefix] of LAYOUT_SECTIONS) {
      for (const e of entries(layout?.get(section, true))) {
        const p = toJS(e.value) as Record<string, unknown> | undefined;
        if (p && typeof p.x === 'number' && typeof p.y === 'number') {
          this.positions.set(prefix + e.id, { x: p.x, y: p.y });
        }
      }
    }
    this.validateAll();
  }

  private readInput(e: IEntry): IWorkflowInput {
    const type = parseType(entryField(e, 'type', 'type'));
    const def = entryField(e, 'default', '');
    const label = entryField(e, 'label', '');
    return {
      id: e.id,
      type,
      required: !isOptional(type) && hasNoDefault(def),
      default: def,
      label: typeof label === 'string' ? label : undefined
    };
  }

  private readOutput(e: IEntry): IWorkflowOutput {
    const rawType = entryField(e, 'type', 'type');
    const label = entryField(e, 'label', '');
    return {
      id: e.id,
      type: parseType(rawType),
      declaredType: rawType !== undefined,
      sources: asStringList(entryField(e, 'outputSource', '')).map(x => this.normalizeSource(x)),
      label: typeof label === 'string' ? label : undefined
    };
  }

  private readStep(e: IEntry): IStep {
    const node = isMap(e.value) ? e.value : new YAMLMap();
    const runNode = node.get('run', true);
    let ports = { inPorts: [] as IPort[], outPorts: [] as IPort[] };
    let runClass = 'unknown';
    let toolLabel: string | undefined;
    let toolDoc: string | undefined;
    let runRef: string | undefined;
    if (isMap(runNode)) {
      const run = runNode.toJSON() as Record<string, unknown>;
      ports = processPorts(run);
      runClass = String(run.class ?? 'unknown');
      toolLabel = typeof run.label === 'string' ? run.label : undefined;
      toolDoc = typeof run.doc === 'string' ? run.doc : undefined;
    } else if (isScalar(runNode)) {
      runRef = String(runNode.value);
    }
    const ins = new Map<string, IStepInput>();
    for (const ie of entries(node.get('in', true))) {
      const str = (k: string) => {
        const v = entryField(ie, k, 'source');
        return typeof v === 'string' ? v : undefined;
      };
      ins.set(ie.id, {
        id: ie.id,
        sources: asStringList(entryField(ie, 'source', 'source')).map(x => this.normalizeSource(x)),
        default: entryField(ie, 'default', 'source'),
        valueFrom: str('valueFrom'),
        linkMerge: str('linkMerge'),
        pickValue: str('pickValue')
      });
    }
    const outIds = entries(node.get('out', true)).map(o => o.id);
    if (runRef !== undefined || runClass === 'unknown') {
      // the tool is in another file: the step itself says which ports it uses
      ports = {
        inPorts: [...ins.keys()].map(id => ({ id, type: ANY, required: false })),
        outPorts: outIds.map(id => ({ id, type: ANY, required: false }))
      };
    } else {
      // step `in` entries the tool does not declare are still ports (valueFrom may read them)
      for (const id of ins.keys()) {
        if (!ports.inPorts.some(p => p.id === id)) {
          ports.inPorts.push({ id, type: ANY, required: false });
        }
      }
      ports.outPorts = ports.outPorts.filter(p => outIds.includes(p.id));
    }
    const label = node.get('label');
    const scatterMethod = node.get('scatterMethod');
    const when = node.get('when');
    return {
      id: e.id,
      label: typeof label === 'string' ? label : toolLabel ?? e.id,
      run: runRef === undefined ? 'inline' : 'ref',
      runClass,
      runRef,
      toolDoc,
      inPorts: ports.inPorts,
      outPorts: ports.outPorts,
      ins,
      scatter: asStringList(toJS(node.get('scatter', true))).map(shortId),
      scatterMethod: typeof scatterMethod === 'string' ? scatterMethod : undefined,
      when: typeof when === 'string' ? when : undefined
    };
  }

  /** `#main/step/port` or `main/step/port` (packed or with the document id) -> `step/port`. */
  private normalizeSource(source: string): string {
    let s = source.replace(/^#/, '');
    const docId = this.root.get('id');
    if (typeof docId === 'string' && s.startsWith(`${docId.replace(/^#/, '')}/`)) {
      s = s.slice(docId.replace(/^#/, '').length + 1);
    }
    const parts = s.split('/');
    return parts.length > 2 ? parts.slice(-2).join('/') : s;
  }

  private consume(source: string, node: string): void {
    let set = this.consumers.get(source);
    if (!set) {
      set = new Set();
      this.consumers.set(source, set);
    }
    set.add(node);
  }

  private unconsume(source: string, node: string): void {
    this.consumers.get(source)?.delete(node);
  }

  private addConsumers(nodeId: string, step: IStep): void {
    for (const inp of step.ins.values()) {
      for (const s of inp.sources) {
        this.consume(s, nodeId);
      }
    }
  }

  private removeConsumers(nodeId: string, step: IStep): void {
    for (const inp of step.ins.values()) {
      for (const s of inp.sources) {
        this.unconsume(s, nodeId);
      }
    }
  }

  /** Graph nodes that read any output of `nodeId`. */
  consumersOf(nodeId: string): Set<string> {
    const out = new Set<string>();
    if (nodeId.startsWith(INPUT_PREFIX)) {
      for (const c of this.consumers.get(nodeId.slice(INPUT_PREFIX.length)) ?? []) {
        out.add(c);
      }
      return out;
    }
    const step = this.steps.get(nodeId);
    for (const p of step?.outPorts ?? []) {
      for (const c of this.consumers.get(`${nodeId}/${p.id}`) ?? []) {
        out.add(c);
      }
    }
    return out;
  }

  /** Graph nodes `nodeId` reads from. */
  producersOf(nodeId: string): Set<string> {
    const out = new Set<string>();
    const sources: string[] = [];
    if (nodeId.startsWith(OUTPUT_PREFIX)) {
      sources.push(...(this.outputs.get(nodeId.slice(OUTPUT_PREFIX.length))?.sources ?? []));
    } else {
      for (const inp of this.steps.get(nodeId)?.ins.values() ?? []) {
        sources.push(...inp.sources);
      }
    }
    for (const s of sources) {
      const ref = this.resolveSource(s);
      if (ref) {
        out.add(ref.node);
      }
    }
    return out;
  }

  /** `step/port` -> that step's port, `x` -> workflow input x; null when nothing has that name. */
  resolveSource(source: string): IPortRef | null {
    const slash = source.indexOf('/');
    if (slash < 0) {
      return this.inputs.has(source) ? { node: INPUT_PREFIX + source, port: source } : null;
    }
    const stepId = source.slice(0, slash);
    const port = source.slice(slash + 1);
    const step = this.steps.get(stepId);
    return step && step.outPorts.some(p => p.id === port) ? { node: stepId, port } : null;
  }

  sourceOf(ref: IPortRef): string {
    return ref.node.startsWith(INPUT_PREFIX) ? ref.node.slice(INPUT_PREFIX.length) : `${ref.node}/${ref.port}`;
  }

  /** The type a source delivers (a scattered step delivers arrays). */
  sourceType(source: string): CwlType | null {
    const ref = this.resolveSource(source);
    if (!ref) {
      return null;
    }
    if (ref.node.startsWith(INPUT_PREFIX)) {
      return this.inputs.get(ref.port)!.type;
    }
    const step = this.steps.get(ref.node)!;
    const port = step.outPorts.find(p => p.id === ref.port)!;
    if (step.scatter.length === 0) {
      return port.type;
    }
    return arrayOf(port.type, step.scatterMethod === 'nested_crossproduct' ? step.scatter.length : 1);
  }

  /** The type a step input port accepts from a link (an array of it when scattered). */
  sinkType(stepId: string, portId: string): CwlType {
    const step = this.steps.get(stepId);
    const port = step?.inPorts.find(p => p.id === portId);
    const t = port?.type ?? ANY;
    return step && step.scatter.includes(portId) ? arrayOf(t) : t;
  }

  links(): ILink[] {
    const out: ILink[] = [];
    const add = (source: string, target: IPortRef) => {
      const ref = this.resolveSource(source);
      if (ref) {
        out.push({ id: `${ref.node}:${ref.port}->${target.node}:${target.port}`, source: ref, target });
      }
    };
    for (const step of this.steps.values()) {
      for (const inp of step.ins.values()) {
        for (const s of inp.sources) {
          add(s, { node: step.id, port: inp.id });
        }
      }
    }
    for (const o of this.outputs.values()) {
      for (const s of o.sources) {
        add(s, { node: OUTPUT_PREFIX + o.id, port: o.id });
      }
    }
    return out;
  }

  nodeIds(): string[] {
    return [
      ...[...this.inputs.keys()].map(id => INPUT_PREFIX + id),
      ...this.steps.keys(),
      ...[...this.outputs.keys()].map(id => OUTPUT_PREFIX + id)
    ];
  }

  // ------------------------------------------------------------- validation

  /** Problems of every node; linear in the size of the graph. */
  validateAll(): void {
    this.problems.clear();
    for (const id of this.nodeIds()) {
      this.problems.set(id, this.nodeProblems(id));
    }
    this.documentProblems = this.globalProblems();
  }

  /** Re-check the touched nodes and their neighbours only. */
  private revalidate(touched: Iterable<string>): void {
    const todo = new Set<string>();
    for (const id of touched) {
      todo.add(id);
      for (const n of this.consumersOf(id)) {
        todo.add(n);
      }
      for (const n of this.producersOf(id)) {
        todo.add(n);
      }
    }
    for (const id of todo) {
      this.nodeVersions.set(id, (this.nodeVersions.get(id) ?? 0) + 1);
      if (this.hasNode(id)) {
        this.problems.set(id, this.nodeProblems(id));
      } else {
        this.problems.delete(id);
      }
    }
  }

  hasNode(id: string): boolean {
    if (id.startsWith(INPUT_PREFIX)) {
      return this.inputs.has(id.slice(INPUT_PREFIX.length));
    }
    if (id.startsWith(OUTPUT_PREFIX)) {
      return this.outputs.has(id.slice(OUTPUT_PREFIX.length));
    }
    return this.steps.has(id);
  }

  allProblems(): IProblem[] {
    const out = [...this.documentProblems];
    for (const list of this.problems.values()) {
      out.push(...list);
    }
    return out;
  }

  private globalProblems(): IProblem[] {
    const seen = new Map<string, string>();
    const out: IProblem[] = [];
    const note = (id: string, what: string) => {
      const before = seen.get(id);
      if (before) {
        out.push({ severity: 'error', message: `"${id}" is both ${before} and ${what}: ids must be unique in a workflow.`, source: 'editor' });
      } else {
        seen.set(id, what);
      }
    };
    this.inputs.forEach((_, id) => note(id, 'a workflow input'));
    this.outputs.forEach((_, id) => note(id, 'a workflow output'));
    this.steps.forEach((_, id) => note(id, 'a step'));
    return out;
  }

  private nodeProblems(nodeId: string): IProblem[] {
    const out: IProblem[] = [];
    const err = (message: string, port?: string) => out.push({ severity: 'error', node: nodeId, port, message, source: 'editor' });
    const warn = (message: string, port?: string) => out.push({ severity: 'warning', node: nodeId, port, message, source: 'editor' });
    const badId = (id: string, what: string) => {
      if (!ID_RE.test(id)) {
        err(`${what} id "${id}" is not a valid identifier: use letters, digits, "_", "-" or ".", starting with a letter or "_".`);
      }
    };
    if (nodeId.startsWith(INPUT_PREFIX)) {
      const id = nodeId.slice(INPUT_PREFIX.length);
      badId(id, 'Workflow input');
      if ((this.consumers.get(id)?.size ?? 0) === 0) {
        warn(`Workflow input "${id}" is not used by any step.`);
      }
      return out;
    }
    if (nodeId.startsWith(OUTPUT_PREFIX)) {
      const o = this.outputs.get(nodeId.slice(OUTPUT_PREFIX.length))!;
      badId(o.id, 'Workflow output');
      if (o.sources.length === 0) {
        err(`Workflow output "${o.id}" is not connected: link a step output to it.`);
      }
      for (const s of o.sources) {
        const t = this.sourceType(s);
        if (t === null) {
          err(`Workflow output "${o.id}" reads "${s}", which does not exist.`);
        } else if (o.declaredType && o.sources.length === 1) {
          const check = checkLink(t, o.type);
          if (check.level === 'error') {
            err(`Workflow output "${o.id}": ${check.message}.`);
          }
        }
      }
      return out;
    }
    const step = this.steps.get(nodeId)!;
    badId(step.id, 'Step');
    for (const port of step.inPorts) {
      const inp = step.ins.get(port.id);
      const fed = inp && (inp.sources.length > 0 || inp.default !== undefined || inp.valueFrom !== undefined);
      if (port.required && !fed) {
        err(`Required input "${port.id}" (${formatType(port.type)}) is not connected and has no value.`, port.id);
      }
    }
    for (const inp of step.ins.values()) {
      const sink = this.sinkType(step.id, inp.id);
      for (const s of inp.sources) {
        const t = this.sourceType(s);
        if (t === null) {
          err(`Input "${inp.id}" reads "${s}", which does not exist.`, inp.id);
          continue;
        }
        if (inp.valueFrom !== undefined || inp.pickValue !== undefined) {
          continue; // the expression or pickValue decides what arrives
        }
        const check = inp.sources.length > 1
          ? [checkLink(t, itemsOf(sink) ?? sink), checkLink(t, sink)].sort((a, b) => (a.level === 'ok' ? -1 : b.level === 'ok' ? 1 : 0))[0]
          : checkLink(t, sink);
        if (check.level === 'error') {
          err(`Input "${inp.id}": ${check.message}.`, inp.id);
        } else if (check.level === 'warning') {
          warn(`Input "${inp.id}": ${check.message}.`, inp.id);
        }
      }
    }
    for (const sc of step.scatter) {
      const inp = step.ins.get(sc);
      if (!step.inPorts.some(p => p.id === sc)) {
        err(`Scatter over "${sc}", which is not an input of this step.`, sc);
      } else if (inp && inp.sources.length === 1 && inp.valueFrom === undefined) {
        const t = this.sourceType(inp.sources[0]);
        if (t && t.kind !== 'unknown' && !(t.kind === 'primitive' && t.name === 'Any') && itemsOf(t) === null) {
          err(`Scatter over "${sc}" needs an array, but it receives ${formatType(t)}.`, sc);
        }
      }
    }
    if (step.outPorts.length > 0 && this.consumersOf(step.id).size === 0) {
      warn(`No step or workflow output uses the results of "${step.id}".`);
    }
    return out;
  }

  // ----------------------------------------------------------------- editing

  private touchDocument(): void {
    this.modified = true;
    this.structural = true;
  }

  private stepsColl(): YAMLMap | YAMLSeq {
    return collection(this.yaml, this.root, 'steps');
  }

  private stepNode(id: string): YAMLMap | null {
    const e = findEntry(this.root.get('steps', true), id);
    return e && isMap(e.value) ? e.value : null;
  }

  private refreshStep(id: string): void {
    const e = findEntry(this.root.get('steps', true), id);
    const before = this.steps.get(id);
    if (before) {
      this.removeConsumers(id, before);
    }
    if (!e) {
      this.steps.delete(id);
      return;
    }
    const step = this.readStep(e);
    this.steps.set(id, step);
    this.addConsumers(id, step);
  }

  /** An id not used by any step, input or output: `base`, `base_2`, ... */
  uniqueId(base: string): string {
    let clean = base.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^([^A-Za-z_])/, '_$1') || 'step';
    clean = clean.slice(0, 60);
    const taken = (id: string) => this.steps.has(id) || this.inputs.has(id) || this.outputs.has(id);
    if (!taken(clean)) {
      return clean;
    }
    const stemId = clean.replace(/_\d+$/, '');
    for (let i = 2; ; i++) {
      if (!taken(`${stemId}_${i}`)) {
        return `${stemId}_${i}`;
      }
    }
  }

  ensureRequirement(cls: string): void {
    const req = this.root.get('requirements', true);
    if (isSeq(req)) {
      if (!req.items.some(i => isMap(i) && i.get('class') === cls)) {
        req.items.push(this.yaml.createNode({ class: cls }));
      }
    } else if (isMap(req)) {
      if (!req.has(cls)) {
        req.set(cls, this.yaml.createNode({}, { flow: true }));
      }
    } else {
      const map = new YAMLMap();
      map.set(cls, this.yaml.createNode({}, { flow: true }));
      this.insertTopLevel('requirements', map, 'inputs');
    }
  }

  /** Put a new top-level key before `before` (when present) so the document reads naturally. */
  private insertTopLevel(key: string, value: unknown, before: string): void {
    const pair = this.yaml.createPair(key, value);
    const idx = this.root.items.findIndex(p => isScalar(p.key) && p.key.value === before);
    if (idx >= 0) {
      this.root.items.splice(idx, 0, pair);
    } else {
      this.root.items.push(pair);
    }
  }

  /** Add a step running `tool` (a CWL process object, embedded inline). */
  addStep(asset: Record<string, unknown>, baseId: string, position?: IPosition): string {
    const id = this.uniqueId(baseId);
    // embedded inline: the workflow's cwlVersion applies, namespaces move to the top of the document
    const { cwlVersion: _v, id: _id, $namespaces: ns, ...tool } = asset;
    void _v;
    void _id;
    if (ns && typeof ns === 'object') {
      const top = this.root.get('$namespaces', true);
      if (isMap(top)) {
        for (const [k, v] of Object.entries(ns as Record<string, unknown>)) {
          if (!top.has(k)) {
            top.set(k, v);
          }
        }
      } else {
        this.insertTopLevel('$namespaces', this.yaml.createNode(ns), 'inputs');
      }
    }
    const outs = processPorts(tool).outPorts.map(p => p.id);
    const coll = this.stepsColl();
    const fields: Record<string, unknown> = { run: tool, in: isSeq(coll) ? [] : {}, out: outs };
    const node = addEntry(this.yaml, coll, id, fields);
    const outNode = node.get('out', true);
    if (isSeq(outNode)) {
      outNode.flow = true;
    }
    if (tool.class === 'Workflow') {
      this.ensureRequirement('SubworkflowFeatureRequirement');
    }
    this.touchDocument();
    this.refreshStep(id);
    if (position) {
      this.setPositionRaw(id, position);
    }
    this.revalidate([id]);
    this.documentProblems = this.globalProblems();
    return id;
  }

  removeNodes(ids: string[]): void {
    const touched = new Set<string>();
    for (const id of ids) {
      for (const c of this.consumersOf(id)) {
        touched.add(c);
      }
      for (const p of this.producersOf(id)) {
        touched.add(p);
      }
    }
    for (const id of ids) {
      if (id.startsWith(INPUT_PREFIX) || this.steps.has(id)) {
        const prefix = id.startsWith(INPUT_PREFIX) ? id.slice(INPUT_PREFIX.length) : `${id}/`;
        const matches = (s: string) => (id.startsWith(INPUT_PREFIX) ? s === prefix : s.startsWith(prefix));
        for (const c of this.consumersOf(id)) {
          if (c.startsWith(OUTPUT_PREFIX)) {
            const o = this.outputs.get(c.slice(OUTPUT_PREFIX.length));
            if (o) {
              this.writeOutputSources(o.id, o.sources.filter(s => !matches(s)));
            }
          } else if (this.steps.has(c) && !ids.includes(c)) {
            const step = this.steps.get(c)!;
            for (const inp of step.ins.values()) {
              if (inp.sources.some(matches)) {
                this.writeStepSources(c, inp.id, inp.sources.filter(s => !matches(s)));
              }
            }
            this.refreshStep(c);
          }
        }
      }
      if (id.startsWith(INPUT_PREFIX)) {
        const e = findEntry(this.root.get('inputs', true), id.slice(INPUT_PREFIX.length));
        if (e) {
          removeEntry(e);
        }
        this.inputs.delete(id.slice(INPUT_PREFIX.length));
      } else if (id.startsWith(OUTPUT_PREFIX)) {
        const oid = id.slice(OUTPUT_PREFIX.length);
        const o = this.outputs.get(oid);
        for (const s of o?.sources ?? []) {
          this.unconsume(s, id);
        }
        const e = findEntry(this.root.get('outputs', true), oid);
        if (e) {
          removeEntry(e);
        }
        this.outputs.delete(oid);
      } else {
        const e = findEntry(this.root.get('steps', true), id);
        if (e) {
          removeEntry(e);
        }
        this.refreshStep(id);
      }
      this.deletePosition(id);
      touched.add(id);
    }
    this.touchDocument();
    this.revalidate(touched);
    this.documentProblems = this.globalProblems();
  }

  private writeStepSources(stepId: string, port: string, sources: string[]): void {
    const node = this.stepNode(stepId);
    if (!node) {
      return;
    }
    const coll = collection(this.yaml, node, 'in');
    const e = findEntry(coll, port);
    const value: unknown = sources.length === 0 ? undefined : sources.length === 1 ? sources[0] : sources;
    if (!e) {
      if (value !== undefined) {
        if (isSeq(coll)) {
          coll.items.push(this.yaml.createNode({ id: port, source: value }));
        } else {
          coll.set(port, this.yaml.createNode(value, { flow: true }));
        }
      }
      return;
    }
    if (isMap(e.value)) {
      setField(this.yaml, e.value, 'source', value, true);
      const rest = e.value.items.filter(p => !(isScalar(p.key) && p.key.value === 'id'));
      if (rest.length === 0) {
        removeEntry(e);
      }
    } else if (value === undefined) {
      removeEntry(e);
    } else if (e.pair) {
      e.pair.value = this.yaml.createNode(value, { flow: true });
    } else {
      expandEntry(this.yaml, e, 'source').set('source', value);
    }
  }

  private writeOutputSources(outputId: string, sources: string[]): void {
    const e = findEntry(this.root.get('outputs', true), outputId);
    const o = this.outputs.get(outputId);
    if (!e || !o) {
      return;
    }
    for (const s of o.sources) {
      this.unconsume(s, OUTPUT_PREFIX + outputId);
    }
    const map = expandEntry(this.yaml, e, 'type');
    setField(this.yaml, map, 'outputSource', sources.length === 0 ? undefined : sources.length === 1 ? sources[0] : sources);
    this.outputs.set(outputId, this.readOutput(e));
    for (const s of sources) {
      this.consume(s, OUTPUT_PREFIX + outputId);
    }
  }

  /** Would a link from `from` into `to` close a cycle? (Is `from` downstream of `to`?) */
  private reaches(start: string, goal: string): boolean {
    const stack = [start];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n === goal) {
        return true;
      }
      if (seen.has(n)) {
        continue;
      }
      seen.add(n);
      for (const c of this.consumersOf(n)) {
        if (!c.startsWith(OUTPUT_PREFIX)) {
          stack.push(c);
        }
      }
    }
    return false;
  }

  /** Connect a port to a step input or a workflow output; refused (with a message) when types or cycles forbid it. */
  connect(source: IPortRef, target: IPortRef): IEditResult {
    const src = this.sourceOf(source);
    const srcType = this.sourceType(src);
    if (srcType === null) {
      return { ok: false, message: `There is no output "${source.port}" on "${source.node}".` };
    }
    if (target.node.startsWith(INPUT_PREFIX)) {
      return { ok: false, message: 'A workflow input has no input port: connect it to a step input.' };
    }
    if (target.node.startsWith(OUTPUT_PREFIX)) {
      const oid = target.node.slice(OUTPUT_PREFIX.length);
      const o = this.outputs.get(oid);
      if (!o) {
        return { ok: false, message: `There is no workflow output "${oid}".` };
      }
      if (o.declaredType) {
        const check = checkLink(srcType, o.type);
        if (check.level === 'error') {
          return { ok: false, message: `Cannot connect ${src} to workflow output "${oid}": ${check.message}.` };
        }
      }
      const e = findEntry(this.root.get('outputs', true), oid)!;
      const map = expandEntry(this.yaml, e, 'type');
      if (!o.declaredType || o.type.kind === 'primitive' && o.type.name === 'Any') {
        setField(this.yaml, map, 'type', toRaw(srcType));
      }
      this.writeOutputSources(oid, [src]);
      this.touchDocument();
      this.revalidate([target.node, source.node]);
      return { ok: true };
    }
    const step = this.steps.get(target.node);
    const port = step?.inPorts.find(p => p.id === target.port);
    if (!step || !port) {
      return { ok: false, message: `There is no input "${target.port}" on step "${target.node}".` };
    }
    if (source.node === target.node || (!source.node.startsWith(INPUT_PREFIX) && this.reaches(target.node, source.node))) {
      return { ok: false, message: `Connecting ${src} to ${target.node}/${target.port} would make a cycle: a step cannot depend on its own results.` };
    }
    const inp = step.ins.get(port.id);
    const check = inp?.valueFrom !== undefined ? { level: 'ok', message: '' } : checkLink(srcType, this.sinkType(step.id, port.id));
    if (check.level === 'error') {
      return { ok: false, message: `Cannot connect ${src} to ${step.id}/${port.id}: ${check.message}.` };
    }
    const before = inp?.sources ?? [];
    for (const s of before) {
      this.unconsume(s, step.id);
    }
    this.writeStepSources(step.id, port.id, [src]);
    this.refreshStep(step.id);
    this.touchDocument();
    const oldProducers = before.map(s => this.resolveSource(s)?.node).filter((n): n is string => !!n);
    this.revalidate([step.id, source.node, ...oldProducers]);
    return { ok: true, warning: check.level === 'warning' ? check.message : undefined };
  }

  disconnect(link: ILink): void {
    const src = this.sourceOf(link.source);
    if (link.target.node.startsWith(OUTPUT_PREFIX)) {
      const oid = link.target.node.slice(OUTPUT_PREFIX.length);
      const o = this.outputs.get(oid);
      if (o) {
        this.writeOutputSources(oid, o.sources.filter(s => s !== src));
      }
    } else {
      const step = this.steps.get(link.target.node);
      const inp = step?.ins.get(link.target.port);
      if (!step || !inp) {
        return;
      }
      this.unconsume(src, step.id);
      this.writeStepSources(step.id, inp.id, inp.sources.filter(s => s !== src));
      this.refreshStep(step.id);
    }
    this.touchDocument();
    this.revalidate([link.target.node, link.source.node]);
  }

  /** Set (or clear, with undefined) the value a step input gets when nothing is linked to it. */
  setStepDefault(stepId: string, portId: string, value: unknown): void {
    const node = this.stepNode(stepId);
    if (!node) {
      return;
    }
    const coll = collection(this.yaml, node, 'in');
    let e = findEntry(coll, portId);
    if (!e) {
      if (value === undefined) {
        return;
      }
      addEntry(this.yaml, coll, portId, { default: value });
    } else {
      const map = expandEntry(this.yaml, e, 'source');
      setField(this.yaml, map, 'default', value, true);
      if (map.items.filter(p => !(isScalar(p.key) && p.key.value === 'id')).length === 0) {
        e = findEntry(coll, portId)!;
        removeEntry(e);
      }
    }
    this.refreshStep(stepId);
    this.touchDocument();
    this.revalidate([stepId]);
  }

  /** Scatter a step over some of its inputs ([] to stop scattering). */
  setScatter(stepId: string, ports: string[], method?: string): IEditResult {
    const node = this.stepNode(stepId);
    if (!node) {
      return { ok: false, message: `There is no step "${stepId}".` };
    }
    if (ports.length === 0) {
      node.delete('scatter');
      node.delete('scatterMethod');
    } else {
      setField(this.yaml, node, 'scatter', ports.length === 1 ? ports[0] : ports, true);
      setField(this.yaml, node, 'scatterMethod', ports.length > 1 ? method ?? 'dotproduct' : undefined);
      this.ensureRequirement('ScatterFeatureRequirement');
    }
    this.refreshStep(stepId);
    this.touchDocument();
    this.revalidate([stepId]);
    return { ok: true };
  }

  /** A new workflow input; with `feeds`, it is linked to that step input and takes its type. */
  addInput(baseId: string, type: CwlType, defaultValue?: unknown, feeds?: IPortRef, position?: IPosition): string {
    const id = this.uniqueId(baseId);
    const fields: Record<string, unknown> = { type: toRaw(type) };
    if (defaultValue !== undefined) {
      fields.default = defaultValue;
    }
    const coll = collection(this.yaml, this.root, 'inputs');
    addEntry(this.yaml, coll, id, fields);
    this.inputs.set(id, this.readInput(findEntry(coll, id)!));
    this.touchDocument();
    if (position) {
      this.setPositionRaw(INPUT_PREFIX + id, position);
    }
    if (feeds) {
      this.connect({ node: INPUT_PREFIX + id, port: id }, feeds);
    }
    this.revalidate([INPUT_PREFIX + id]);
    this.documentProblems = this.globalProblems();
    return id;
  }

  /** Change a workflow input's type and default (undefined default removes it). */
  updateInput(id: string, type: CwlType, defaultValue: unknown): void {
    const e = findEntry(this.root.get('inputs', true), id);
    if (!e) {
      return;
    }
    const map = expandEntry(this.yaml, e, 'type');
    setField(this.yaml, map, 'type', toRaw(type));
    setField(this.yaml, map, 'default', defaultValue);
    this.inputs.set(id, this.readInput(e));
    this.touchDocument();
    this.revalidate([INPUT_PREFIX + id]);
  }

  /** A new workflow output; with `from`, linked to that port. */
  addOutput(baseId: string, from?: IPortRef, position?: IPosition): string {
    const id = this.uniqueId(baseId);
    const coll = collection(this.yaml, this.root, 'outputs');
    const t = from ? this.sourceType(this.sourceOf(from)) : null;
    addEntry(this.yaml, coll, id, { type: t ? toRaw(t) : 'Any' });
    const e = findEntry(coll, id)!;
    const o = this.readOutput(e);
    o.declaredType = t !== null;
    this.outputs.set(id, o);
    this.touchDocument();
    if (position) {
      this.setPositionRaw(OUTPUT_PREFIX + id, position);
    }
    if (from) {
      this.connect(from, { node: OUTPUT_PREFIX + id, port: id });
    }
    this.revalidate([OUTPUT_PREFIX + id]);
    this.documentProblems = this.globalProblems();
    return id;
  }

  setLabel(stepId: string, label: string): void {
    const node = this.stepNode(stepId);
    if (!node) {
      return;
    }
    setField(this.yaml, node, 'label', label === '' ? undefined : label);
    this.refreshStep(stepId);
    this.touchDocument();
    this.revalidate([stepId]);
  }

  // ------------------------------------------------------------------ layout

  private layoutNode(create: boolean): YAMLMap | null {
    let hints: unknown = this.root.get('hints', true);
    if (isSeq(hints)) {
      const found = hints.items.find(i => isMap(i) && i.get('class') === LAYOUT_CLASS);
      if (found) {
        return found as YAMLMap;
      }
    } else if (isMap(hints)) {
      const found = hints.get(LAYOUT_CLASS, true);
      if (isMap(found)) {
        return found;
      }
    }
    if (!create) {
      return null;
    }
    this.structural = true; // a new hint (and maybe $namespaces): the document is written in full
    const ns = this.root.get('$namespaces', true);
    if (isMap(ns)) {
      if (!ns.has('dl')) {
        ns.set('dl', LAYOUT_NAMESPACE);
      }
    } else {
      this.insertTopLevel('$namespaces', this.yaml.createNode({ dl: LAYOUT_NAMESPACE }), 'inputs');
    }
    const layout = this.yaml.createNode({ class: LAYOUT_CLASS, nodes: {} }) as YAMLMap;
    if (isMap(hints)) {
      layout.delete('class');
      hints.set(LAYOUT_CLASS, layout);
    } else {
      if (!isSeq(hints)) {
        hints = new YAMLSeq();
        this.insertTopLevel('hints', hints, 'inputs');
      }
      (hints as YAMLSeq).items.push(layout);
    }
    return layout;
  }

  private setPositionRaw(nodeId: string, p: IPosition): void {
    const pos = { x: Math.round(p.x), y: Math.round(p.y) };
    this.positions.set(nodeId, pos);
    const layout = this.layoutNode(true)!;
    const [section, key] = layoutSlot(nodeId);
    let nodes: unknown = layout.get(section, true);
    if (!isMap(nodes)) {
      nodes = new YAMLMap();
      layout.set(section, nodes);
    }
    (nodes as YAMLMap).set(key, this.yaml.createNode(pos, { flow: true }));
  }

  private deletePosition(nodeId: string): void {
    this.positions.delete(nodeId);
    const [section, key] = layoutSlot(nodeId);
    const nodes = this.layoutNode(false)?.get(section, true);
    if (isMap(nodes)) {
      nodes.delete(key);
    }
  }

  /** Move nodes: only the layout hint changes. */
  setPositions(moves: Map<string, IPosition>): void {
    for (const [id, p] of moves) {
      this.setPositionRaw(id, p);
    }
    this.modified = true;
  }

  // ------------------------------------------------------------ copy / paste

  /** The steps as plain JS, for the clipboard; links between copied steps are kept by paste. */
  copySteps(ids: string[]): ICopiedSteps {
    const steps: ICopiedSteps['steps'] = [];
    for (const id of ids) {
      const node = this.stepNode(id);
      if (node) {
        steps.push({ id, step: node.toJSON() as Record<string, unknown>, position: this.positions.get(id) });
      }
    }
    return { kind: 'datalabs-pipeline-steps', steps };
  }

  /** Paste copied steps with fresh ids; links to steps that were not copied are dropped. Returns the new ids. */
  pasteSteps(clip: ICopiedSteps, offset: IPosition = { x: 40, y: 40 }): string[] {
    const rename = new Map<string, string>();
    for (const s of clip.steps) {
      rename.set(s.id, this.uniqueId(s.id));
      // reserve it so the next copy gets another id
      this.steps.set(rename.get(s.id)!, { id: '', label: '', run: 'ref', runClass: '', inPorts: [], outPorts: [], ins: new Map(), scatter: [] });
    }
    const coll = this.stepsColl();
    const created: string[] = [];
    for (const s of clip.steps) {
      const id = rename.get(s.id)!;
      const step = JSON.parse(JSON.stringify(s.step)) as Record<string, unknown>;
      delete step.id;
      const remap = (src: unknown): unknown => {
        const list = asStringList(src)
          .map(x => {
            const slash = x.indexOf('/');
            if (slash < 0) {
              return this.inputs.has(x) ? x : null;
            }
            const to = rename.get(x.slice(0, slash));
            return to ? `${to}${x.slice(slash)}` : null;
          })
          .filter((x): x is string => x !== null);
        return list.length === 0 ? undefined : list.length === 1 ? list[0] : list;
      };
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
      addEntry(this.yaml, coll, id, step);
      created.push(id);
    }
    for (const id of created) {
      this.steps.delete(id);
      this.refreshStep(id);
    }
    for (const s of clip.steps) {
      const p = s.position ?? { x: 0, y: 0 };
      this.setPositionRaw(rename.get(s.id)!, { x: p.x + offset.x, y: p.y + offset.y });
    }
    this.touchDocument();
    this.revalidate(created);
    this.documentProblems = this.globalProblems();
    return created;
  }
}

export interface ICopiedSteps {
  kind: 'datalabs-pipeline-steps';
  steps: { id: string; step: Record<string, unknown>; position?: IPosition }[];
}

export { formatType, withoutNull };
