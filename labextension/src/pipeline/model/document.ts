/**
 * The pipeline document: a thin façade over its parts for the views and the session. The parts live in
 * their own modules: `parse` (text -> YAML + graph), `graph` (steps, ports, links), `validation` (live
 * checks), `edits` (each edit a function with a typed result) and `savedlayout` (node positions in the file).
 * The façade applies an edit's result: the document counts as modified, and the nodes it changed (with their
 * neighbours) are re-checked and get a new version so views redraw only those.
 */
import { Document, YAMLMap } from 'yaml';

import * as edits from './edits';
import { EditResult, ICopiedSteps, IPipelineParts } from './edits';
import { GraphIndex, ILink, IPortRef, IPosition, IStep, IWorkflowInput, IWorkflowOutput } from './graph';
import { ILoadError, parseWorkflowText, WorkflowReader } from './parse';
import { LAYOUT_NAMESPACE, SavedLayout } from './savedlayout';
import { CwlType, formatType, withoutNull } from './types';
import { IProblem, ProblemIndex } from './validation';

export * from './graph';
export type { EditResult, ICopiedSteps, IEditDone, IEditRefused } from './edits';
export { MAX_EDITOR_BYTES, processPorts, SUPPORTED_VERSIONS } from './parse';
export type { ILoadError } from './parse';
export { LAYOUT_FIELD, LAYOUT_NAMESPACE, LEGACY_LAYOUT_CLASS } from './savedlayout';
export type { IProblem } from './validation';
export { formatType, withoutNull };

export type LoadResult = { ok: true; document: PipelineDocument } | { ok: false; error: ILoadError };

export const NEW_PIPELINE = `cwlVersion: v1.2
class: Workflow
label: New pipeline
$namespaces:
  dl: ${LAYOUT_NAMESPACE}
inputs: {}
outputs: {}
steps: {}
`;

export class PipelineDocument implements IPipelineParts {
  readonly yaml: Document.Parsed;
  readonly root: YAMLMap;
  readonly graph: GraphIndex;
  readonly layout: SavedLayout;
  readonly reader: WorkflowReader;
  private readonly checks = new ProblemIndex();
  /** Incremented for each node an edit touches, so views redraw only those. */
  readonly nodeVersions = new Map<string, number>();
  private readonly original: string;
  private modified = false;
  /** Set by any edit other than moving nodes in an existing layout field. */
  private structural = false;

  private constructor(yaml: Document.Parsed, text: string) {
    this.yaml = yaml;
    this.root = yaml.contents as unknown as YAMLMap;
    this.original = text;
    this.reader = new WorkflowReader(this.root);
    this.graph = this.reader.index(this.root);
    this.layout = new SavedLayout(yaml, this.root);
    this.checks.checkAll(this.graph);
  }

  /** Parse CWL text; the error says what is wrong and where, the document is not touched. */
  static parse(text: string): LoadResult {
    const r = parseWorkflowText(text);
    return r.ok ? { ok: true, document: new PipelineDocument(r.yaml, text) } : r;
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

  // ------------------------------------------------------------- read access

  get steps(): Map<string, IStep> {
    return this.graph.steps;
  }

  get inputs(): Map<string, IWorkflowInput> {
    return this.graph.inputs;
  }

  get outputs(): Map<string, IWorkflowOutput> {
    return this.graph.outputs;
  }

  get positions(): Map<string, IPosition> {
    return this.layout.positions;
  }

  /** Problems per graph node, kept current by every edit. */
  get problems(): Map<string, IProblem[]> {
    return this.checks.byNode;
  }

  get documentProblems(): IProblem[] {
    return this.checks.document;
  }

  allProblems(): IProblem[] {
    return this.checks.all();
  }

  get isModified(): boolean {
    return this.modified;
  }

  /** Does the file keep its layout in the old `dl:Layout` hint (moved to `dl:layout` by the first edit or a save)? */
  get hasLegacyLayout(): boolean {
    return this.layout.legacy;
  }

  get label(): string {
    const l = this.root.get('label');
    return typeof l === 'string' ? l : '';
  }

  nodeIds(): string[] {
    return this.graph.nodeIds();
  }

  hasNode(id: string): boolean {
    return this.graph.hasNode(id);
  }

  links(): ILink[] {
    return this.graph.links();
  }

  consumersOf(nodeId: string): Set<string> {
    return this.graph.consumersOf(nodeId);
  }

  producersOf(nodeId: string): Set<string> {
    return this.graph.producersOf(nodeId);
  }

  resolveSource(source: string): IPortRef | null {
    return this.graph.resolveSource(source);
  }

  sourceOf(ref: IPortRef): string {
    return this.graph.sourceOf(ref);
  }

  sourceType(source: string): CwlType | null {
    return this.graph.sourceType(source);
  }

  sinkType(stepId: string, portId: string): CwlType {
    return this.graph.sinkType(stepId, portId);
  }

  uniqueId(base: string): string {
    return this.graph.uniqueId(base);
  }

  copySteps(ids: string[]): ICopiedSteps {
    return edits.copySteps(this, ids);
  }

  /** The CWL text: byte-identical to what was read while nothing was edited. */
  serialize(): string {
    if (!this.modified) {
      return this.original;
    }
    if (!this.structural) {
      const spliced = this.layout.splice(this.original);
      if (spliced !== null) {
        return spliced;
      }
    }
    return this.yaml.toString({ lineWidth: 0 });
  }

  // ------------------------------------------------------------------ edits

  /** Take an edit's result: the document is modified, the changed nodes and their neighbours re-checked. */
  private apply<T>(result: EditResult<T>): EditResult<T> {
    if (result.ok) {
      this.modified = true;
      this.structural = true;
      for (const id of this.checks.recheck(this.graph, result.changed)) {
        this.nodeVersions.set(id, (this.nodeVersions.get(id) ?? 0) + 1);
      }
    }
    return result;
  }

  connect(source: IPortRef, target: IPortRef): EditResult {
    return this.apply(edits.connect(this, source, target));
  }

  disconnect(link: ILink): EditResult {
    return this.apply(edits.disconnect(this, link));
  }

  setStepDefault(stepId: string, portId: string, value: unknown): EditResult {
    return this.apply(edits.setStepDefault(this, stepId, portId, value));
  }

  setScatter(stepId: string, ports: string[], method?: string): EditResult {
    return this.apply(edits.setScatter(this, stepId, ports, method));
  }

  setLabel(stepId: string, label: string): EditResult {
    return this.apply(edits.setLabel(this, stepId, label));
  }

  addInput(baseId: string, type: CwlType, defaultValue?: unknown, feeds?: IPortRef, position?: IPosition): EditResult<string> {
    return this.apply(edits.addInput(this, baseId, type, defaultValue, feeds, position));
  }

  updateInput(id: string, type: CwlType, defaultValue: unknown): EditResult {
    return this.apply(edits.updateInput(this, id, type, defaultValue));
  }

  addOutput(baseId: string, from?: IPortRef, position?: IPosition): EditResult<string> {
    return this.apply(edits.addOutput(this, baseId, from, position));
  }

  addStep(asset: Record<string, unknown>, baseId: string, position?: IPosition): EditResult<string> {
    return this.apply(edits.addStep(this, asset, baseId, position));
  }

  addSteps(steps: { tool: Record<string, unknown>; baseId: string }[], position: IPosition): EditResult<string[]> {
    return this.apply(edits.addSteps(this, steps, position));
  }

  removeNodes(ids: string[]): EditResult {
    return this.apply(edits.removeNodes(this, ids));
  }

  deleteSelection(nodes: string[], links: ILink[]): EditResult {
    return this.apply(edits.deleteSelection(this, nodes, links));
  }

  pasteSteps(clip: ICopiedSteps, offset?: IPosition): EditResult<string[]> {
    return this.apply(edits.pasteSteps(this, clip, offset));
  }

  migrateLayout(): EditResult {
    return this.apply(edits.migrateLayout(this));
  }

  /** Move nodes: only the layout changes (and a file with the layout field keeps every other byte). */
  setPositions(moves: Map<string, IPosition>): void {
    for (const [id, p] of moves) {
      this.layout.set(id, p);
    }
    this.modified = true;
  }
}
