/**
 * The visual pipeline editor: toolbar, palette, canvas (@xyflow/react), properties panel and problems list.
 * All edits go through the PipelineSession (undoable); the canvas redraws only nodes whose version changed.
 */
import {
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  Connection,
  Controls,
  Edge,
  EdgeChange,
  MiniMap,
  NodeChange,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow
} from '@xyflow/react';
import * as React from 'react';

import { IAsset, IServerProblem, validateOnServer } from '../api';
import { ICopiedSteps, INPUT_PREFIX, IPosition, IProblem, OUTPUT_PREFIX, PipelineDocument } from '../model/document';
import { basename, fileKind, relativePath, stem, toolForFile } from '../model/filestep';
import { autoLayout, NODE_WIDTH, nodeHeight } from '../model/layout';
import { PipelineSession } from '../model/session';
import { INodeData, NODE_TYPES, nodeData, PipelineNode } from './nodes';
import { Properties } from './Properties';

export const ASSET_MIME = 'application/x-datalabs-pipeline-asset';
export const RUN_DISABLED_REASON = 'Run: the pipeline service is not installed yet. Validate, save, then run the file with cwltool.';

/** What the widget and the lab commands ask of the editor. */
export interface IEditorApi {
  undo(): void;
  redo(): void;
  copy(): void;
  paste(): void;
  deleteSelected(): void;
  fit(): void;
  autoLayout(): void;
  validate(): Promise<void>;
  /** Files dropped from the file browser (server-root-relative paths) at a screen position. */
  dropFiles(paths: string[], clientX: number, clientY: number): void;
}

export interface IEditorProps {
  session: PipelineSession;
  /** The document's path relative to the server root. */
  path: () => string;
  loadAssets: () => Promise<IAsset[]>;
  /** Called after every change of the document (the widget marks the file dirty). */
  onChange: () => void;
  register: (api: IEditorApi) => void;
}

let clipboard: ICopiedSteps | null = null;

interface IStatus {
  level: 'info' | 'warning' | 'error';
  text: string;
}

function buildNodes(doc: PipelineDocument, prev: PipelineNode[], fallback: Map<string, IPosition>): PipelineNode[] {
  const prevById = new Map(prev.map(n => [n.id, n]));
  const out: PipelineNode[] = [];
  for (const id of doc.nodeIds()) {
    const old = prevById.get(id);
    const version = doc.nodeVersions.get(id) ?? 0;
    const position = doc.positions.get(id) ?? fallback.get(id) ?? { x: 0, y: 0 };
    const cached = old as (PipelineNode & { _v?: number; _doc?: PipelineDocument }) | undefined;
    if (cached && cached._v === version && cached._doc === doc && cached.position.x === position.x && cached.position.y === position.y) {
      out.push(cached);
      continue;
    }
    const step = doc.steps.get(id);
    const node = {
      id,
      type: 'pipeline',
      position,
      // known sizes: the canvas can fit the view and skip off-screen nodes before it has measured them
      width: NODE_WIDTH,
      height: nodeHeight(step ? Math.max(step.inPorts.length, step.outPorts.length) : 1),
      data: cached && cached._v === version && cached._doc === doc ? cached.data : nodeData(doc, id),
      selected: old?.selected ?? false,
      _v: version,
      _doc: doc
    } as PipelineNode & { _v: number; _doc: PipelineDocument };
    out.push(node);
  }
  return out;
}

function buildEdges(doc: PipelineDocument, prev: Edge[]): Edge[] {
  const selected = new Set(prev.filter(e => e.selected).map(e => e.id));
  return doc.links().map(l => ({
    id: l.id,
    source: l.source.node,
    sourceHandle: l.source.port,
    target: l.target.node,
    targetHandle: l.target.port,
    selected: selected.has(l.id)
  }));
}

/**
 * Positions for nodes the layout hint does not place (hand-written files, nodes added by a text editor):
 * all of them by auto-layout when nothing is placed, else each one next to a neighbour.
 */
function missingPositions(doc: PipelineDocument): Map<string, IPosition> {
  const missing = doc.nodeIds().filter(id => !doc.positions.has(id));
  if (missing.length === 0) {
    return new Map();
  }
  if (doc.positions.size === 0) {
    return autoLayout(doc);
  }
  const out = new Map<string, IPosition>();
  let maxX = -Infinity;
  let minY = Infinity;
  for (const p of doc.positions.values()) {
    maxX = Math.max(maxX, p.x);
    minY = Math.min(minY, p.y);
  }
  let extra = 0;
  const near = (ids: Iterable<string>, dx: number): IPosition | null => {
    for (const n of ids) {
      const p = doc.positions.get(n) ?? out.get(n);
      if (p) {
        return { x: p.x + dx, y: p.y };
      }
    }
    return null;
  };
  for (const id of missing) {
    const p = id.startsWith(INPUT_PREFIX) ? near(doc.consumersOf(id), -NODE_WIDTH - 80) : near(doc.producersOf(id), NODE_WIDTH + 80);
    out.set(id, p ?? { x: maxX + NODE_WIDTH + 80, y: minY + 100 * extra++ });
  }
  return out;
}

function Palette(props: { assets: IAsset[] | null; error: string | null; onAdd: (a: IAsset) => void }): JSX.Element {
  const groups = new Map<string, IAsset[]>();
  for (const a of props.assets ?? []) {
    const list = groups.get(a.category || 'Other') ?? [];
    list.push(a);
    groups.set(a.category || 'Other', list);
  }
  const drag = (e: React.DragEvent, data: string) => {
    e.dataTransfer.setData(ASSET_MIME, data);
    e.dataTransfer.effectAllowed = 'copy';
  };
  return (
    <div className="dl-palette" aria-label="Processing assets">
      <div className="dl-section-title">Workflow</div>
      <div className="dl-palette-item dl-palette-io" draggable onDragStart={e => drag(e, '#input')} data-asset-id="#input"
        title="A value the pipeline receives when it runs (a file, a number, ...)">Workflow input</div>
      <div className="dl-palette-item dl-palette-io" draggable onDragStart={e => drag(e, '#output')} data-asset-id="#output"
        title="A result the pipeline keeps">Workflow output</div>
      <div className="dl-section-title">Processing assets</div>
      {props.error ? <div className="dl-palette-error">{props.error}</div> : null}
      {props.assets === null && !props.error ? <div className="dl-muted">Loading…</div> : null}
      {[...groups.entries()].map(([cat, list]) => (
        <div key={cat} className="dl-palette-group">
          <div className="dl-palette-category">{cat}</div>
          {list.map(a => (
            <div
              key={a.id}
              className="dl-palette-item"
              draggable
              data-asset-id={a.id}
              title={a.description}
              onDragStart={e => drag(e, a.id)}
              onDoubleClick={() => props.onAdd(a)}
            >
              {a.label}
            </div>
          ))}
        </div>
      ))}
      <div className="dl-palette-hint">
        Drag notebooks (.ipynb) and Python scripts (.py) from the file browser onto the canvas: they become steps run with
        papermill or python.
      </div>
    </div>
  );
}

function ProblemsList(props: {
  problems: IProblem[];
  server: { problems: IServerProblem[]; valid: boolean; stale: boolean } | null;
  onSelect: (node: string) => void;
}): JSX.Element {
  const editor = props.problems;
  const server = props.server;
  const errors = editor.filter(p => p.severity === 'error').length;
  return (
    <div className="dl-problems" aria-label="Problems">
      <div className="dl-section-title">
        Problems: {errors} error{errors === 1 ? '' : 's'}, {editor.length - errors} warning{editor.length - errors === 1 ? '' : 's'}
        {server ? (
          <span className={`dl-server-result ${server.valid ? 'dl-ok' : 'dl-bad'}`}>
            {' '}· cwltool: {server.valid ? 'valid' : 'not valid'}{server.stale ? ' (checked before your last change)' : ''}
          </span>
        ) : null}
      </div>
      <ul>
        {server?.problems.map((p, i) => (
          <li key={`s${i}`} className={`dl-problem dl-problem-${p.severity}`} data-source="cwltool">
            <span className="dl-problem-where">cwltool{p.line ? ` line ${p.line}${p.column ? `:${p.column}` : ''}` : ''}</span> {p.message}
          </li>
        ))}
        {editor.slice(0, 500).map((p, i) => (
          <li
            key={i}
            className={`dl-problem dl-problem-${p.severity}`}
            data-node={p.node ?? ''}
            onClick={() => p.node && props.onSelect(p.node)}
          >
            <span className="dl-problem-where">{p.node ? p.node.replace(INPUT_PREFIX, 'input ').replace(OUTPUT_PREFIX, 'output ') : 'workflow'}</span>{' '}
            {p.message}
          </li>
        ))}
        {editor.length > 500 ? <li className="dl-muted">… and {editor.length - 500} more</li> : null}
      </ul>
    </div>
  );
}

function EditorInner(props: IEditorProps): JSX.Element {
  const { session } = props;
  const flow = useReactFlow();
  const [rev, setRev] = React.useState(0);
  const fallback = React.useRef<{ doc: PipelineDocument | null; pos: Map<string, IPosition> }>({ doc: null, pos: new Map() });
  const positionsFor = (doc: PipelineDocument) => {
    if (fallback.current.doc !== doc) {
      fallback.current = { doc, pos: missingPositions(doc) };
    }
    return fallback.current.pos;
  };
  const [nodes, setNodes] = React.useState<PipelineNode[]>(() => buildNodes(session.doc, [], positionsFor(session.doc)));
  const [edges, setEdges] = React.useState<Edge[]>(() => buildEdges(session.doc, []));
  const [selected, setSelected] = React.useState<string | null>(null);
  const [assets, setAssets] = React.useState<IAsset[] | null>(null);
  const [assetError, setAssetError] = React.useState<string | null>(null);
  const [status, setStatus] = React.useState<IStatus | null>(null);
  const [server, setServer] = React.useState<{ problems: IServerProblem[]; valid: boolean; rev: number } | null>(null);
  const [validating, setValidating] = React.useState(false);
  const first = React.useRef(true);

  React.useEffect(() => {
    props.loadAssets().then(
      a => setAssets(a),
      e => setAssetError(`The processing assets could not be loaded (${(e as Error).message}). Reload the page, or ask your operator to check the Datalabs server extension.`)
    );
  }, []);

  React.useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const doc = session.doc;
    setNodes(prev => buildNodes(doc, prev, positionsFor(doc)));
    setEdges(prev => buildEdges(doc, prev));
  }, [rev]);

  const canvasRef = React.useRef<HTMLDivElement>(null);
  // a redraw after an edit may remove the focused node (undo, delete): give the keyboard back to the canvas
  const refocus = React.useRef(false);
  React.useEffect(() => {
    if (!refocus.current) {
      return;
    }
    refocus.current = false;
    // the canvas library redraws from its own store a render later: check after the next frames
    const keepKeyboard = () => {
      const active = document.activeElement;
      if (!active || active === document.body || !active.isConnected) {
        canvasRef.current?.focus();
      }
    };
    requestAnimationFrame(() => requestAnimationFrame(keepKeyboard));
    setTimeout(keepKeyboard, 150);
  }, [nodes]);
  const changed = () => {
    refocus.current = true;
    setRev(r => r + 1);
    props.onChange();
  };

  const edit = <T,>(label: string, fn: (d: PipelineDocument) => T): T => {
    const r = session.edit(label, fn);
    const res = r as unknown as { ok?: boolean; message?: string; warning?: string };
    if (res && typeof res === 'object' && res.ok === false) {
      setStatus({ level: 'error', text: res.message ?? `${label} refused.` });
    } else if (res && typeof res === 'object' && res.warning) {
      setStatus({ level: 'warning', text: res.warning });
      changed();
    } else {
      setStatus(null);
      changed();
    }
    return r;
  };

  const dropPosition = (clientX: number, clientY: number) => flow.screenToFlowPosition({ x: clientX, y: clientY });

  const addAsset = (asset: IAsset, pos?: IPosition) => {
    const p = pos ?? dropPosition(window.innerWidth / 2, window.innerHeight / 2);
    const id = edit(`Add ${asset.label}`, d => d.addStep(asset.tool, asset.id, p));
    setSelected(id);
  };

  const selectedNodeIds = () => nodes.filter(n => n.selected).map(n => n.id);

  const api: IEditorApi = {
    undo: () => {
      if (session.undo()) {
        changed();
      }
    },
    redo: () => {
      if (session.redo()) {
        changed();
      }
    },
    copy: () => {
      const ids = selectedNodeIds().filter(id => session.doc.steps.has(id));
      if (ids.length > 0) {
        clipboard = session.doc.copySteps(ids);
        setStatus({ level: 'info', text: `Copied ${ids.length} step${ids.length === 1 ? '' : 's'}.` });
      }
    },
    paste: () => {
      const clip = clipboard;
      if (!clip) {
        setStatus({ level: 'info', text: 'Nothing to paste: select steps and copy them first.' });
        return;
      }
      const ids = edit('Paste', d => d.pasteSteps(clip));
      setNodes(prev => prev.map(n => ({ ...n, selected: ids.includes(n.id) })));
    },
    deleteSelected: () => {
      const ids = selectedNodeIds();
      const links = edges.filter(e => e.selected);
      if (ids.length + links.length === 0) {
        return;
      }
      edit('Delete', d => {
        for (const e of links) {
          if (!ids.includes(e.source) && !ids.includes(e.target)) {
            d.disconnect({ id: e.id, source: { node: e.source, port: e.sourceHandle! }, target: { node: e.target, port: e.targetHandle! } });
          }
        }
        d.removeNodes(ids);
      });
      setSelected(null);
    },
    fit: () => void flow.fitView({ padding: 0.1, maxZoom: 1 }),
    autoLayout: () => {
      session.move(autoLayout(session.doc));
      changed();
      setTimeout(() => void flow.fitView({ padding: 0.1, maxZoom: 1 }), 50);
    },
    validate: async () => {
      setValidating(true);
      const at = session.revision;
      try {
        const reply = await validateOnServer(session.doc.serialize(), props.path());
        setServer({ problems: reply.problems, valid: reply.valid, rev: at });
      } catch (e) {
        setServer({ problems: [{ severity: 'error', message: `The server could not validate the pipeline: ${(e as Error).message}` }], valid: false, rev: at });
      } finally {
        setValidating(false);
      }
    },
    dropFiles: (paths, clientX, clientY) => {
      const pos = dropPosition(clientX, clientY);
      const dir = props.path().includes('/') ? props.path().slice(0, props.path().lastIndexOf('/')) : '';
      const usable = paths.filter(p => fileKind(p) === 'notebook' || fileKind(p) === 'python');
      const refused = paths.filter(p => !usable.includes(p));
      if (usable.length > 0) {
        edit('Add files', d => {
          usable.forEach((p, i) => d.addStep(toolForFile({ filename: relativePath(dir, p), label: basename(p) }), stem(p), { x: pos.x, y: pos.y + i * 120 }));
        });
      }
      if (refused.length > 0) {
        setStatus({ level: 'error', text: `${refused.map(basename).join(', ')}: only notebooks (.ipynb) and Python scripts (.py) become steps.` });
      }
    }
  };
  const apiRef = React.useRef(api);
  apiRef.current = api;
  React.useEffect(() => {
    props.register({
      undo: () => apiRef.current.undo(),
      redo: () => apiRef.current.redo(),
      copy: () => apiRef.current.copy(),
      paste: () => apiRef.current.paste(),
      deleteSelected: () => apiRef.current.deleteSelected(),
      fit: () => apiRef.current.fit(),
      autoLayout: () => apiRef.current.autoLayout(),
      validate: () => apiRef.current.validate(),
      dropFiles: (p, x, y) => apiRef.current.dropFiles(p, x, y)
    });
  }, []);

  const onNodesChange = React.useCallback((changes: NodeChange<PipelineNode>[]) => {
    // removals go through onDelete (one undoable edit); the rest is view state
    setNodes(ns => applyNodeChanges(changes.filter(c => c.type !== 'remove'), ns));
  }, []);
  const onEdgesChange = React.useCallback((changes: EdgeChange[]) => {
    setEdges(es => applyEdgeChanges(changes.filter(c => c.type !== 'remove'), es));
  }, []);

  const onConnect = (c: Connection) => {
    edit('Connect', d => d.connect({ node: c.source, port: c.sourceHandle ?? '' }, { node: c.target, port: c.targetHandle ?? '' }));
  };

  const onDrop = (e: React.DragEvent) => {
    const data = e.dataTransfer.getData(ASSET_MIME);
    if (!data) {
      return;
    }
    e.preventDefault();
    const pos = dropPosition(e.clientX, e.clientY);
    if (data === '#input') {
      const id = edit('Add workflow input', d => d.addInput('input', { kind: 'primitive', name: 'File' }, undefined, undefined, pos));
      setSelected(INPUT_PREFIX + id);
      return;
    }
    if (data === '#output') {
      const id = edit('Add workflow output', d => d.addOutput('output', undefined, pos));
      setSelected(OUTPUT_PREFIX + id);
      return;
    }
    const asset = assets?.find(a => a.id === data);
    if (asset) {
      addAsset(asset, pos);
    }
  };

  const problems = React.useMemo(() => session.doc.allProblems(), [rev, session.doc]);
  const doc = session.doc;
  const selectNode = (id: string) => {
    setSelected(id);
    setNodes(ns => ns.map(n => (n.selected === (n.id === id) ? n : { ...n, selected: n.id === id })));
    const n = nodes.find(x => x.id === id);
    if (n) {
      void flow.setCenter(n.position.x + 110, n.position.y + 40, { zoom: Math.max(flow.getZoom(), 0.8), duration: 200 });
    }
  };

  return (
    <div className="dl-pipeline-editor" data-revision={rev}>
      <div className="dl-pipeline-toolbar" role="toolbar">
        <button className="jp-Button dl-tb-validate" onClick={() => void api.validate()} disabled={validating} title="Check the pipeline with cwltool's validator on the server">
          {validating ? 'Validating…' : 'Validate'}
        </button>
        <button className="jp-Button dl-tb-export" onClick={() => exportCwl(doc, props.path())} title="Download the pipeline as a CWL v1.2 file">Export CWL</button>
        <span className="dl-tb-sep" />
        <button className="jp-Button dl-tb-undo" onClick={api.undo} disabled={!session.canUndo} title="Undo (Ctrl+Z)">Undo</button>
        <button className="jp-Button dl-tb-redo" onClick={api.redo} disabled={!session.canRedo} title="Redo (Ctrl+Shift+Z)">Redo</button>
        <button className="jp-Button dl-tb-copy" onClick={api.copy} title="Copy the selected steps (Ctrl+C)">Copy</button>
        <button className="jp-Button dl-tb-paste" onClick={api.paste} title="Paste steps (Ctrl+V)">Paste</button>
        <button className="jp-Button dl-tb-delete" onClick={api.deleteSelected} title="Delete the selection (Delete)">Delete</button>
        <span className="dl-tb-sep" />
        <button className="jp-Button dl-tb-fit" onClick={api.fit} title="Zoom to fit the whole pipeline">Fit</button>
        <button className="jp-Button dl-tb-layout" onClick={api.autoLayout} title="Arrange the nodes left to right (undoable)">Auto-layout</button>
        <span className="dl-tb-sep" />
        <span title={RUN_DISABLED_REASON}>
          <button className="jp-Button dl-tb-run" disabled>Run</button>
        </span>
        <span className="dl-tb-info">{doc.steps.size} step{doc.steps.size === 1 ? '' : 's'}</span>
      </div>
      {status ? <div className={`dl-pipeline-status dl-status-${status.level}`} role="status">{status.text}</div> : null}
      <div className="dl-pipeline-body">
        <Palette assets={assets} error={assetError} onAdd={a => addAsset(a)} />
        <div className="dl-pipeline-canvas" ref={canvasRef} tabIndex={-1} onDragOver={e => { e.preventDefault(); e.dataTransfer.dropEffect = 'copy'; }} onDrop={onDrop}>
          <ReactFlow
            nodes={nodes}
            edges={edges}
            nodeTypes={NODE_TYPES}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={onConnect}
            onNodeDragStop={(_, __, dragged) => {
              session.move(new Map(dragged.map(n => [n.id, { x: n.position.x, y: n.position.y }])));
              changed();
            }}
            onDelete={() => api.deleteSelected()}
            onSelectionChange={({ nodes: sel }) => setSelected(sel.length === 1 ? sel[0].id : null)}
            deleteKeyCode={['Delete', 'Backspace']}
            fitView
            fitViewOptions={{ maxZoom: 1, padding: 0.1 }}
            minZoom={0.05}
            onlyRenderVisibleElements={nodes.length > 200}
            proOptions={{ hideAttribution: true }}
          >
            <Background />
            <Controls />
            {nodes.length <= 150 ? <MiniMap pannable zoomable /> : null}
          </ReactFlow>
        </div>
        <Properties
          doc={doc}
          selected={selected && doc.hasNode(selected) ? selected : null}
          rev={rev}
          edit={edit}
          docPath={props.path()}
        />
      </div>
      <ProblemsList
        problems={problems}
        server={server ? { ...server, stale: server.rev !== session.revision } : null}
        onSelect={selectNode}
      />
    </div>
  );
}

export function exportCwl(doc: PipelineDocument, path: string): void {
  const blob = new Blob([doc.serialize()], { type: 'application/x-yaml' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = basename(path) || 'pipeline.cwl';
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

export function PipelineEditor(props: IEditorProps): JSX.Element {
  return (
    <ReactFlowProvider>
      <EditorInner {...props} />
    </ReactFlowProvider>
  );
}

export type { INodeData };
