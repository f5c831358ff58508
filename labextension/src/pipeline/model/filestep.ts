/**
 * The one builder that turns a notebook or a Python script into a CWL CommandLineTool step, used both
 * for files dragged from the file browser and for Elyra generic nodes:
 * runtime_image -> DockerRequirement (a hint, so `--no-container` runs work), env_vars -> EnvVarRequirement,
 * filename + dependencies -> InitialWorkDirRequirement, cpu/memory -> ResourceRequirement,
 * outputs -> outputBinding.glob, upstream files -> inputs staged into the working directory.
 */

export interface IUpstreamFile {
  /** Input id on this tool. */
  id: string;
  /** `File` or `File[]` (a glob with a wildcard gives several files). */
  type: 'File' | 'File[]';
}

export interface IFileStepSpec {
  /** Path of the notebook/script, relative to the CWL file's folder (or absolute). */
  filename: string;
  label?: string;
  runtimeImage?: string;
  dependencies?: string[];
  envVars?: Record<string, string>;
  /** Files the notebook/script writes (glob patterns, relative to its working directory). */
  outputs?: string[];
  cpu?: number;
  /** Memory in GB, as Elyra writes it. */
  memoryGB?: number;
  upstream?: IUpstreamFile[];
}

export const NOTEBOOK_OUTPUT = 'executed_notebook';

export function fileKind(filename: string): 'notebook' | 'python' | 'r' | null {
  const lower = filename.toLowerCase();
  if (lower.endsWith('.ipynb')) {
    return 'notebook';
  }
  if (lower.endsWith('.py')) {
    return 'python';
  }
  if (lower.endsWith('.r')) {
    return 'r';
  }
  return null;
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function stem(path: string): string {
  const b = basename(path);
  const dot = b.lastIndexOf('.');
  return dot > 0 ? b.slice(0, dot) : b;
}

/** `relativePath('a/b', 'a/c/x.py')` -> `../c/x.py` (server-root-relative paths, no leading slash). */
export function relativePath(fromDir: string, to: string): string {
  const a = fromDir.split('/').filter(Boolean);
  const b = to.split('/').filter(Boolean);
  let i = 0;
  while (i < a.length && i < b.length - 1 && a[i] === b[i]) {
    i++;
  }
  return [...a.slice(i).map(() => '..'), ...b.slice(i)].join('/');
}

/** An output id for a glob pattern: `results/plot.png` -> `plot_png`. */
export function outputId(pattern: string): string {
  const id = basename(pattern).replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  return /^[A-Za-z_]/.test(id) ? id : `out_${id}`;
}

/** A CommandLineTool running the notebook (papermill) or script (python). Throws for other files. */
export function toolForFile(spec: IFileStepSpec): Record<string, unknown> {
  const kind = fileKind(spec.filename);
  if (kind === null) {
    throw new Error(`"${spec.filename}" is neither a notebook (.ipynb) nor a Python script (.py): it cannot become a step.`);
  }
  if (kind === 'r') {
    throw new Error(`"${spec.filename}" is an R script: R steps are not supported yet; convert it to a notebook or a Python script.`);
  }
  const name = basename(spec.filename);
  const inputs: Record<string, unknown> = {
    script: { type: 'File', label: kind === 'notebook' ? 'Notebook' : 'Python script', default: { class: 'File', location: spec.filename } }
  };
  const listing: string[] = ['$(inputs.script)'];
  const deps = (spec.dependencies ?? []).filter(d => d.trim() !== '');
  if (deps.length > 0) {
    inputs.dependencies = {
      type: 'File[]',
      label: 'Files the code needs next to it',
      default: deps.map(d => ({ class: 'File', location: d }))
    };
    listing.push('$(inputs.dependencies)');
  }
  for (const up of spec.upstream ?? []) {
    inputs[up.id] = { type: up.type };
    listing.push(`$(inputs.${up.id})`);
  }
  const outputs: Record<string, unknown> = {};
  for (const pattern of spec.outputs ?? []) {
    outputs[outputId(pattern)] = {
      type: /[*?[]/.test(pattern) ? 'File[]' : 'File',
      outputBinding: { glob: pattern }
    };
  }
  const requirements: Record<string, unknown> = {
    InitialWorkDirRequirement: { listing }
  };
  const env = spec.envVars ?? {};
  if (Object.keys(env).length > 0) {
    requirements.EnvVarRequirement = { envDef: env };
  }
  const resources: Record<string, number> = {};
  if (spec.cpu !== undefined && spec.cpu > 0) {
    resources.coresMin = spec.cpu;
  }
  if (spec.memoryGB !== undefined && spec.memoryGB > 0) {
    resources.ramMin = Math.round(spec.memoryGB * 1024);
  }
  if (Object.keys(resources).length > 0) {
    requirements.ResourceRequirement = resources;
  }
  const tool: Record<string, unknown> = {
    class: 'CommandLineTool',
    label: spec.label ?? name,
    doc: kind === 'notebook' ? `Runs the notebook ${spec.filename} with papermill.` : `Runs ${spec.filename} with python.`,
    requirements
  };
  if (spec.runtimeImage) {
    tool.hints = { DockerRequirement: { dockerPull: spec.runtimeImage } };
  }
  if (kind === 'notebook') {
    tool.baseCommand = ['papermill', '--log-output'];
    tool.arguments = [name, `${stem(name)}.out.ipynb`];
    outputs[NOTEBOOK_OUTPUT] = { type: 'File', outputBinding: { glob: `${stem(name)}.out.ipynb` } };
  } else {
    tool.baseCommand = ['python'];
    tool.arguments = [name];
  }
  tool.inputs = inputs;
  tool.outputs = outputs;
  return tool;
}
