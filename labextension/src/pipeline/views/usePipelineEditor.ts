/**
 * The pipeline editor's logic as a React hook: canvas state built from the session's document, the
 * commands (undo, copy, paste, delete, validate, drops), and the @xyflow/react callbacks. `Editor.tsx` only
 * draws what this returns. Must run inside a `ReactFlowProvider`.
 */
import {
  applyEdgeChanges,
  applyNodeChanges,
  Connection,
  Edge,
  EdgeChange,
  FitViewOptions,
  getNodesBounds,
  Node,
  NodeChange,
  OnSelectionChangeParams,
  useReactFlow
} from '@xyflow/react';
import * as React from 'react';

import { IAsset, IServerProblem, validateOnServer } from '../api';
import { EditResult, ICopiedSteps, INPUT_PREFIX, IPosition, IProblem, OUTPUT_PREFIX, PipelineDocument } from '../model/document';
import { basename, fileKind, relativePath, stem, toolForFile } from '../model/filestep';
import { autoLayout, openingViewport } from '../model/layout';
import { PipelineSession } from '../model/session';
import { buildEdges, buildNodes, linkOfEdge, missingPositions } from './canvas';
import { PipelineNode } from './nodes';

export const ASSET_MIME = 'application/x-datalabs-pipeline-asset';
const FIT: FitViewOptions<PipelineNode> = { padding: 0.1, maxZoom: 1 };

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

export interface IStatus {
  level: 'info' | 'warning' | 'error';
  text: string;
}

export interface IServerResult {
  problems: IServerProblem[];
  valid: boolean;
  /** Checked before the last change. */
  stale: boolean;
}

/** Steps copied in one editor can be pasted into another. */
let clipboard: ICopiedSteps | null = null;

export function usePipelineEditor(props: IEditorProps) {
  const { session } = props;
  const flow = useReactFlow<PipelineNode>();
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
  /** The canvas' wrapper: focusable, never re-mounted, the target of the editor's key bindings. */
  const canvasRef = React.useRef<HTMLDivElement>(null);
  /** Nodes to select once the next redraw has them (pasted steps). */
  const selectNext = React.useRef<Set<string> | null>(null);

  React.useEffect(() => {
    props.loadAssets().then(
      a => setAssets(a),
      e => setAssetError(`The processing assets could not be loaded (${(e as Error).message}). Reload the page, or ask your operator to check the Datalabs server extension.`)
    );
  }, []);

  const first = React.useRef(true);
  React.useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const doc = session.doc;
    const select = selectNext.current ?? undefined;
    selectNext.current = null;
    setNodes(prev => buildNodes(doc, prev, positionsFor(doc), select));
    setEdges(prev => buildEdges(doc, prev));
  }, [rev]);

  /**
   * An edit may remove the element that has the keyboard focus (a deleted node, a node undo takes away):
   * the browser would then give focus to the page body and the editor's key bindings would stop working.
   * Before the redraw, hand focus from inside the canvas to its wrapper, which is never re-mounted.
   */
  const keepKeyboard = () => {
    const canvas = canvasRef.current;
    const active = document.activeElement;
    if (canvas && active && active !== canvas && canvas.contains(active)) {
      canvas.focus({ preventScroll: true });
    }
  };

  const changed = () => {
    keepKeyboard();
    setRev(r => r + 1);
    props.onChange();
  };

  /** Run an undoable edit; a refusal or a warning shows in the status line. */
  const edit = <T>(label: string, fn: (d: PipelineDocument) => EditResult<T>): EditResult<T> => {
    const r = session.edit(label, fn);
    if (!r.ok) {
      setStatus({ level: 'error', text: r.message });
      return r;
    }
    setStatus(r.warning ? { level: 'warning', text: r.warning } : null);
    changed();
    return r;
  };

  const dropPosition = (clientX: number, clientY: number) => flow.screenToFlowPosition({ x: clientX, y: clientY });

  const addAsset = (asset: IAsset, pos?: IPosition) => {
    const p = pos ?? dropPosition(window.innerWidth / 2, window.innerHeight / 2);
    const r = edit(`Add ${asset.label}`, d => d.addStep(asset.tool, asset.id, p));
    if (r.ok) {
      setSelected(r.value);
    }
  };

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
      const ids = nodes.filter(n => n.selected && session.doc.steps.has(n.id)).map(n => n.id);
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
      const r = edit('Paste', d => d.pasteSteps(clip));
      if (r.ok) {
        selectNext.current = new Set(r.value);
      }
    },
    deleteSelected: () => {
      const ids = nodes.filter(n => n.selected).map(n => n.id);
      const links = edges.filter(e => e.selected).map(linkOfEdge);
      if (ids.length + links.length === 0) {
        return;
      }
      edit('Delete', d => d.deleteSelection(ids, links));
      setSelected(null);
    },
    fit: () => void flow.fitView(FIT),
    autoLayout: () => {
      session.move(autoLayout(session.doc));
      changed();
      void flow.fitView(FIT); // @xyflow/react fits once the moved nodes are in its store
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
      const refusedFiles = paths.filter(p => !usable.includes(p));
      if (usable.length > 0) {
        const steps = usable.map(p => ({ tool: toolForFile({ filename: relativePath(dir, p), label: basename(p) }), baseId: stem(p) }));
        edit('Add files', d => d.addSteps(steps, pos));
      }
      if (refusedFiles.length > 0) {
        setStatus({ level: 'error', text: `${refusedFiles.map(basename).join(', ')}: only notebooks (.ipynb) and Python scripts (.py) become steps.` });
      }
    }
  };
  // the lab commands call the api of the latest render
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

  const onDrop = (e: React.DragEvent) => {
    const data = e.dataTransfer.getData(ASSET_MIME);
    if (!data) {
      return;
    }
    e.preventDefault();
    const pos = dropPosition(e.clientX, e.clientY);
    if (data === '#input') {
      const r = edit('Add workflow input', d => d.addInput('input', { kind: 'primitive', name: 'File' }, undefined, undefined, pos));
      if (r.ok) {
        setSelected(INPUT_PREFIX + r.value);
      }
      return;
    }
    if (data === '#output') {
      const r = edit('Add workflow output', d => d.addOutput('output', undefined, pos));
      if (r.ok) {
        setSelected(OUTPUT_PREFIX + r.value);
      }
      return;
    }
    const asset = assets?.find(a => a.id === data);
    if (asset) {
      addAsset(asset, pos);
    }
  };

  const onDragOver = (e: React.DragEvent) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  };

  /** Callbacks for <ReactFlow>. */
  const flowHandlers = {
    onNodesChange,
    onEdgesChange,
    onConnect: (c: Connection) => {
      edit('Connect', d => d.connect({ node: c.source, port: c.sourceHandle ?? '' }, { node: c.target, port: c.targetHandle ?? '' }));
    },
    onNodeDragStop: (_: unknown, __: unknown, dragged: Node[]) => {
      session.move(new Map(dragged.map(n => [n.id, { x: n.position.x, y: n.position.y }])));
      changed();
    },
    onDelete: () => apiRef.current.deleteSelected(),
    /** Open at a readable zoom: the whole pipeline when it fits, else its start (Fit shows all of it). */
    onInit: () => {
      const box = canvasRef.current?.getBoundingClientRect();
      if (box && box.width > 0 && nodes.length > 0) {
        void flow.setViewport(openingViewport(getNodesBounds(nodes), box.width, box.height));
      }
    },
    onSelectionChange: ({ nodes: sel }: OnSelectionChangeParams) => setSelected(sel.length === 1 ? sel[0].id : null)
  };

  const doc = session.doc;
  const problems: IProblem[] = React.useMemo(() => doc.allProblems(), [rev, doc]);

  /** Select a node (from the problems list) and bring it into view. */
  const selectNode = (id: string) => {
    setSelected(id);
    setNodes(ns => ns.map(n => (n.selected === (n.id === id) ? n : { ...n, selected: n.id === id })));
    const n = nodes.find(x => x.id === id);
    if (n) {
      void flow.setCenter(n.position.x + 110, n.position.y + 40, { zoom: Math.max(flow.getZoom(), 0.8), duration: 200 });
    }
  };

  const serverResult: IServerResult | null = server
    ? { problems: server.problems, valid: server.valid, stale: server.rev !== session.revision }
    : null;

  return {
    doc,
    rev,
    nodes,
    edges,
    selected: selected && doc.hasNode(selected) ? selected : null,
    assets,
    assetError,
    status,
    server: serverResult,
    validating,
    problems,
    canUndo: session.canUndo,
    canRedo: session.canRedo,
    canvasRef,
    api,
    edit,
    addAsset,
    selectNode,
    onDrop,
    onDragOver,
    flowHandlers
  };
}
