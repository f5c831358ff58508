/**
 * Import of Elyra `.pipeline` files (pipeline-flow v3): generic nodes (notebooks, Python scripts) become
 * CWL CommandLineTool steps built by `toolForFile`; links become step inputs reading upstream outputs.
 */
import { IUpstreamFile, outputId, stem, toolForFile } from './filestep';
import { LAYOUT_FIELD, LAYOUT_NAMESPACE } from './savedlayout';

export class ElyraImportError extends Error {}

export interface IElyraImport {
  workflow: Record<string, unknown>;
  /** What could not be carried over, for the user. */
  warnings: string[];
}

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {};
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function envVars(raw: unknown, warnings: string[], label: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const item of list(raw)) {
    if (typeof item === 'string') {
      const eq = item.indexOf('=');
      if (eq > 0) {
        env[item.slice(0, eq).trim()] = item.slice(eq + 1);
      } else if (item.trim() !== '') {
        warnings.push(`${label}: environment variable "${item}" has no value and was left out.`);
      }
    } else if (item && typeof item === 'object') {
      const o = item as Obj;
      if (typeof o.env_var === 'string' && o.env_var !== '') {
        env[o.env_var] = String(o.value ?? '');
      }
    }
  }
  return env;
}

function stringList(v: unknown): string[] {
  return list(v)
    .map(x => (typeof x === 'string' ? x : obj(x).value))
    .filter((x): x is string => typeof x === 'string' && x.trim() !== '');
}

function num(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** Convert parsed pipeline-flow JSON to a CWL v1.2 Workflow object. Throws ElyraImportError with the reason. */
export function importElyra(json: unknown): IElyraImport {
  const root = obj(json);
  if (root.doc_type !== 'pipeline') {
    throw new ElyraImportError('This is not an Elyra pipeline file: it has no "doc_type": "pipeline".');
  }
  const version = String(root.version ?? '');
  if (!version.startsWith('3.')) {
    throw new ElyraImportError(`Elyra pipeline-flow version "${version}" is not supported: the importer reads version 3.x.`);
  }
  const pipelines = list(root.pipelines).map(obj);
  const primary = pipelines.find(p => p.id === root.primary_pipeline) ?? pipelines[0];
  if (!primary) {
    throw new ElyraImportError('The Elyra file contains no pipeline.');
  }
  const warnings: string[] = [];
  const props = obj(obj(primary.app_data).properties);
  const defaults = obj(props.pipeline_defaults);
  if (list(props.pipeline_parameters).length > 0) {
    warnings.push('Pipeline parameters are not imported: declare them as workflow inputs.');
  }
  const nodes = list(primary.nodes).map(obj).filter(n => n.type === 'execution_node');
  for (const n of list(primary.nodes).map(obj)) {
    if (n.type !== 'execution_node' && n.type !== undefined) {
      warnings.push(`Node "${String(obj(n.app_data).label ?? n.id)}" (${String(n.type)}) is not an execution node and was left out.`);
    }
  }
  const stepIds = new Map<string, string>();
  const taken = new Set<string>();
  for (const n of nodes) {
    const params = obj(obj(n.app_data).component_parameters);
    const base = (String(obj(n.app_data).label ?? '') || stem(String(params.filename ?? 'step')))
      .replace(/\.(ipynb|py|r)$/i, '')
      .replace(/[^A-Za-z0-9_]+/g, '_')
      .replace(/^([^A-Za-z_])/, '_$1') || 'step';
    let id = base;
    for (let i = 2; taken.has(id); i++) {
      id = `${base}_${i}`;
    }
    taken.add(id);
    stepIds.set(String(n.id), id);
  }
  const outputsOf = new Map<string, string[]>();
  for (const n of nodes) {
    outputsOf.set(String(n.id), stringList(obj(obj(n.app_data).component_parameters).outputs));
  }
  const steps: Obj = {};
  const layout: [string, number, number][] = [];
  const consumed = new Set<string>();
  for (const n of nodes) {
    const app = obj(n.app_data);
    const params = obj(app.component_parameters);
    const id = stepIds.get(String(n.id))!;
    const label = String(app.label ?? id);
    const filename = String(params.filename ?? '');
    const upstream: IUpstreamFile[] = [];
    const stepIn: Obj = {};
    for (const port of list(n.inputs).map(obj)) {
      for (const link of list(port.links).map(obj)) {
        const from = String(link.node_id_ref ?? '');
        const fromId = stepIds.get(from);
        if (!fromId) {
          warnings.push(`${label}: a link comes from a node that is not in the pipeline and was left out.`);
          continue;
        }
        const outs = outputsOf.get(from) ?? [];
        if (outs.length === 0) {
          warnings.push(`${label} runs after ${fromId}, which declares no output files: CWL orders steps by data only, so this link was dropped. Declare the files ${fromId} writes as its outputs.`);
        }
        for (const pattern of outs) {
          const inId = `${fromId}_${outputId(pattern)}`;
          upstream.push({ id: inId, type: /[*?[]/.test(pattern) ? 'File[]' : 'File' });
          stepIn[inId] = `${fromId}/${outputId(pattern)}`;
          consumed.add(`${fromId}/${outputId(pattern)}`);
        }
      }
    }
    let tool: Obj;
    try {
      tool = toolForFile({
        filename,
        label,
        runtimeImage: String(params.runtime_image ?? defaults.runtime_image ?? '') || undefined,
        dependencies: stringList(params.dependencies),
        envVars: { ...envVars(defaults.env_vars, warnings, label), ...envVars(params.env_vars, warnings, label) },
        outputs: stringList(params.outputs),
        cpu: num(params.cpu),
        memoryGB: num(params.memory),
        upstream
      });
    } catch (e) {
      throw new ElyraImportError(`Node "${label}": ${(e as Error).message}`);
    }
    if (num(params.gpu)) {
      warnings.push(`${label}: the GPU request is not carried over (CWL v1.2 has no standard GPU requirement).`);
    }
    const outIds = Object.keys(obj(tool.outputs));
    steps[id] = { run: tool, in: stepIn, out: outIds };
    const ui = obj(app.ui_data);
    const x = num(ui.x_pos);
    const y = num(ui.y_pos);
    if (x !== undefined && y !== undefined) {
      layout.push([id, Math.round(x), Math.round(y)]);
    }
  }
  const outputs: Obj = {};
  for (const [id, step] of Object.entries(steps)) {
    for (const out of (step as Obj).out as string[]) {
      if (!consumed.has(`${id}/${out}`)) {
        const t = obj(obj(obj((step as Obj).run).outputs)[out]).type;
        outputs[`${id}_${out}`] = { type: t, outputSource: `${id}/${out}` };
      }
    }
  }
  const name = String(props.name ?? '') || 'Imported Elyra pipeline';
  const workflow: Obj = {
    cwlVersion: 'v1.2',
    class: 'Workflow',
    label: name,
    doc: `Imported from an Elyra pipeline (pipeline-flow ${version}).`,
    $namespaces: { dl: LAYOUT_NAMESPACE },
    inputs: {},
    outputs,
    steps,
    [`dl:${LAYOUT_FIELD}`]: { nodes: layout }
  };
  return { workflow, warnings };
}
