/**
 * Parse: CWL text -> a `yaml` Document (comments, key order and unknown fields kept) and the graph index
 * read from it. A file the editor cannot open gives a typed error saying what is wrong and where.
 */
import { Document, isMap, isScalar, isSeq, parseDocument, YAMLMap } from 'yaml';

import { GraphIndex, IPort, IStep, IStepInput, IWorkflowInput, IWorkflowOutput } from './graph';
import { ANY, isOptional, parseType } from './types';
import { entries, entryField, IEntry, shortId, toJS } from './yamlnodes';

/** Larger files open as text only: the editor keeps the whole document in memory twice. */
export const MAX_EDITOR_BYTES = 4 * 1024 * 1024;
export const SUPPORTED_VERSIONS = ['v1.0', 'v1.1', 'v1.2'];

export interface ILoadError {
  kind: 'too-large' | 'yaml' | 'not-workflow' | 'version' | 'structure';
  message: string;
  line?: number;
  column?: number;
}

export type ParseResult = { ok: true; yaml: Document.Parsed } | { ok: false; error: ILoadError };

/** Parse CWL text into a YAML document that holds a Workflow the editor can open. */
export function parseWorkflowText(text: string): ParseResult {
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
  return { ok: true, yaml };
}

export function asStringList(v: unknown): string[] {
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

/** Reads the graph's parts from the workflow's YAML; sources are normalized against the document's id. */
export class WorkflowReader {
  private readonly docId: string | null;

  constructor(root: YAMLMap) {
    const id = root.get('id');
    this.docId = typeof id === 'string' ? id.replace(/^#/, '') : null;
  }

  /** `#main/step/port` or `main/step/port` (packed or with the document id) -> `step/port`. */
  normalizeSource(source: string): string {
    let s = source.replace(/^#/, '');
    if (this.docId !== null && s.startsWith(`${this.docId}/`)) {
      s = s.slice(this.docId.length + 1);
    }
    const parts = s.split('/');
    return parts.length > 2 ? parts.slice(-2).join('/') : s;
  }

  input(e: IEntry): IWorkflowInput {
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

  output(e: IEntry): IWorkflowOutput {
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

  step(e: IEntry): IStep {
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

  /** The whole graph index of the workflow. */
  index(root: YAMLMap): GraphIndex {
    const graph = new GraphIndex();
    for (const e of entries(root.get('inputs', true))) {
      graph.setInput(e.id, this.input(e));
    }
    for (const e of entries(root.get('steps', true))) {
      graph.setStep(e.id, this.step(e));
    }
    for (const e of entries(root.get('outputs', true))) {
      graph.setOutput(e.id, this.output(e));
    }
    return graph;
  }
}
