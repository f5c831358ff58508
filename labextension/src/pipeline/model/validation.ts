/**
 * Live validation from the graph index: per-node checks (connections, types, scatter, identifiers), the
 * document-wide id check, and the checks a new link must pass (type compatibility, no cycle). Re-checking
 * after an edit covers the touched nodes and their neighbours only, never the whole pipeline.
 */
import { GraphIndex, INPUT_PREFIX, IPortRef, OUTPUT_PREFIX } from './graph';
import { checkLink, CwlType, formatType, itemsOf } from './types';

const ID_RE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

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

/** Ids used twice (a step and an input of the same name, ...). */
export function documentProblems(g: GraphIndex): IProblem[] {
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
  g.inputs.forEach((_, id) => note(id, 'a workflow input'));
  g.outputs.forEach((_, id) => note(id, 'a workflow output'));
  g.steps.forEach((_, id) => note(id, 'a step'));
  return out;
}

/** The problems of one graph node. */
export function nodeProblems(g: GraphIndex, nodeId: string): IProblem[] {
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
    if (g.readers(id) === 0) {
      warn(`Workflow input "${id}" is not used by any step.`);
    }
    return out;
  }
  if (nodeId.startsWith(OUTPUT_PREFIX)) {
    const o = g.outputs.get(nodeId.slice(OUTPUT_PREFIX.length))!;
    badId(o.id, 'Workflow output');
    if (o.sources.length === 0) {
      err(`Workflow output "${o.id}" is not connected: link a step output to it.`);
    }
    for (const s of o.sources) {
      const t = g.sourceType(s);
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
  const step = g.steps.get(nodeId)!;
  badId(step.id, 'Step');
  for (const port of step.inPorts) {
    const inp = step.ins.get(port.id);
    const fed = inp && (inp.sources.length > 0 || inp.default !== undefined || inp.valueFrom !== undefined);
    if (port.required && !fed) {
      err(`Required input "${port.id}" (${formatType(port.type)}) is not connected and has no value.`, port.id);
    }
  }
  for (const inp of step.ins.values()) {
    const sink = g.sinkType(step.id, inp.id);
    for (const s of inp.sources) {
      const t = g.sourceType(s);
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
      const t = g.sourceType(inp.sources[0]);
      if (t && t.kind !== 'unknown' && !(t.kind === 'primitive' && t.name === 'Any') && itemsOf(t) === null) {
        err(`Scatter over "${sc}" needs an array, but it receives ${formatType(t)}.`, sc);
      }
    }
  }
  if (step.outPorts.length > 0 && g.consumersOf(step.id).size === 0) {
    warn(`No step or workflow output uses the results of "${step.id}".`);
  }
  return out;
}

/** What a link may be made: refused with the reason, or allowed (maybe with a warning). */
export type LinkCheck =
  | { ok: false; message: string }
  | { ok: true; sourceType: CwlType; warning?: string };

/** May `source` be linked into `target` (a step input or a workflow output)? Types must fit and no cycle may close. */
export function checkConnection(g: GraphIndex, source: IPortRef, target: IPortRef): LinkCheck {
  const src = g.sourceOf(source);
  const srcType = g.sourceType(src);
  if (srcType === null) {
    return { ok: false, message: `There is no output "${source.port}" on "${source.node}".` };
  }
  if (target.node.startsWith(INPUT_PREFIX)) {
    return { ok: false, message: 'A workflow input has no input port: connect it to a step input.' };
  }
  if (target.node.startsWith(OUTPUT_PREFIX)) {
    const oid = target.node.slice(OUTPUT_PREFIX.length);
    const o = g.outputs.get(oid);
    if (!o) {
      return { ok: false, message: `There is no workflow output "${oid}".` };
    }
    if (o.declaredType) {
      const check = checkLink(srcType, o.type);
      if (check.level === 'error') {
        return { ok: false, message: `Cannot connect ${src} to workflow output "${oid}": ${check.message}.` };
      }
    }
    return { ok: true, sourceType: srcType };
  }
  const step = g.steps.get(target.node);
  const port = step?.inPorts.find(p => p.id === target.port);
  if (!step || !port) {
    return { ok: false, message: `There is no input "${target.port}" on step "${target.node}".` };
  }
  if (source.node === target.node || (!source.node.startsWith(INPUT_PREFIX) && g.reaches(target.node, source.node))) {
    return { ok: false, message: `Connecting ${src} to ${target.node}/${target.port} would make a cycle: a step cannot depend on its own results.` };
  }
  const inp = step.ins.get(port.id);
  const check = inp?.valueFrom !== undefined ? { level: 'ok', message: '' } : checkLink(srcType, g.sinkType(step.id, port.id));
  if (check.level === 'error') {
    return { ok: false, message: `Cannot connect ${src} to ${step.id}/${port.id}: ${check.message}.` };
  }
  return { ok: true, sourceType: srcType, warning: check.level === 'warning' ? check.message : undefined };
}

/** The problems of every node, kept current by re-checking what each edit touched. */
export class ProblemIndex {
  readonly byNode = new Map<string, IProblem[]>();
  document: IProblem[] = [];

  /** Check every node; linear in the size of the graph. */
  checkAll(g: GraphIndex): void {
    this.byNode.clear();
    for (const id of g.nodeIds()) {
      this.byNode.set(id, nodeProblems(g, id));
    }
    this.document = documentProblems(g);
  }

  /** Re-check the touched nodes and their neighbours only; returns the nodes checked. */
  recheck(g: GraphIndex, touched: Iterable<string>): Set<string> {
    const todo = new Set<string>();
    for (const id of touched) {
      todo.add(id);
      for (const n of g.consumersOf(id)) {
        todo.add(n);
      }
      for (const n of g.producersOf(id)) {
        todo.add(n);
      }
    }
    for (const id of todo) {
      if (g.hasNode(id)) {
        this.byNode.set(id, nodeProblems(g, id));
      } else {
        this.byNode.delete(id);
      }
    }
    this.document = documentProblems(g);
    return todo;
  }

  all(): IProblem[] {
    const out = [...this.document];
    for (const list of this.byNode.values()) {
      out.push(...list);
    }
    return out;
  }
}
