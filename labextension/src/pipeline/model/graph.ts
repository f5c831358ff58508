/**
 * The graph index of a pipeline: its steps, workflow inputs and outputs with their ports, and who reads
 * which source. Lookups (links, producers, consumers, the type a source delivers) answer from this index
 * without walking the YAML; edits keep it current node by node.
 */
import { ANY, arrayOf, CwlType } from './types';

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

/** Steps, inputs and outputs by id, and an index from each source (`step/port` or input id) to its readers. */
export class GraphIndex {
  readonly steps = new Map<string, IStep>();
  readonly inputs = new Map<string, IWorkflowInput>();
  readonly outputs = new Map<string, IWorkflowOutput>();
  /** Source reference (`step/port` or input id) -> graph nodes reading it. */
  private readonly consumers = new Map<string, Set<string>>();

  /** Put (or with undefined remove) a step; its links in the reader index follow. */
  setStep(id: string, step: IStep | undefined): void {
    const before = this.steps.get(id);
    for (const inp of before?.ins.values() ?? []) {
      for (const s of inp.sources) {
        this.consumers.get(s)?.delete(id);
      }
    }
    if (step === undefined) {
      this.steps.delete(id);
      return;
    }
    this.steps.set(id, step);
    for (const inp of step.ins.values()) {
      for (const s of inp.sources) {
        this.consume(s, id);
      }
    }
  }

  /** Put (or with undefined remove) a workflow output; its link in the reader index follows. */
  setOutput(id: string, output: IWorkflowOutput | undefined): void {
    const node = OUTPUT_PREFIX + id;
    for (const s of this.outputs.get(id)?.sources ?? []) {
      this.consumers.get(s)?.delete(node);
    }
    if (output === undefined) {
      this.outputs.delete(id);
      return;
    }
    this.outputs.set(id, output);
    for (const s of output.sources) {
      this.consume(s, node);
    }
  }

  setInput(id: string, input: IWorkflowInput | undefined): void {
    if (input === undefined) {
      this.inputs.delete(id);
    } else {
      this.inputs.set(id, input);
    }
  }

  private consume(source: string, node: string): void {
    let set = this.consumers.get(source);
    if (!set) {
      set = new Set();
      this.consumers.set(source, set);
    }
    set.add(node);
  }

  /** How many graph nodes read this source. */
  readers(source: string): number {
    return this.consumers.get(source)?.size ?? 0;
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

  /** Is the id taken by a step, an input or an output? */
  isTaken(id: string): boolean {
    return this.steps.has(id) || this.inputs.has(id) || this.outputs.has(id);
  }

  /** An id not used by any step, input or output: `base`, `base_2`, ... */
  uniqueId(base: string, reserved: Set<string> = new Set()): string {
    let clean = base.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^([^A-Za-z_])/, '_$1') || 'step';
    clean = clean.slice(0, 60);
    const taken = (id: string) => this.isTaken(id) || reserved.has(id);
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

  nodeIds(): string[] {
    return [
      ...[...this.inputs.keys()].map(id => INPUT_PREFIX + id),
      ...this.steps.keys(),
      ...[...this.outputs.keys()].map(id => OUTPUT_PREFIX + id)
    ];
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

  /** Is `goal` downstream of `start` (or `start` itself)? Workflow outputs end a path. */
  reaches(start: string, goal: string): boolean {
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

  /** The source reference a link from this port writes (`step/port`, or the input's id). */
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
}
