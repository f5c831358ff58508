/**
 * The visual pipeline editor: toolbar, palette, canvas (@xyflow/react), properties panel and problems list.
 * Presentational: the state and every command come from `usePipelineEditor`; all edits go through the
 * PipelineSession (undoable) and the canvas redraws only nodes whose version changed.
 */
import { showDialog, Dialog } from '@jupyterlab/apputils';
import { PageConfig, PathExt } from '@jupyterlab/coreutils';
import { Background, Controls, MiniMap, ReactFlow, ReactFlowProvider } from '@xyflow/react';
import * as React from 'react';

import { IAsset } from '../api';
import { INPUT_PREFIX, IProblem, OUTPUT_PREFIX, PipelineDocument } from '../model/document';
import { basename } from '../model/filestep';
import { INodeData, NODE_TYPES } from './nodes';
import { Properties } from './Properties';
import { ASSET_MIME, IEditorProps, IServerResult, usePipelineEditor } from './usePipelineEditor';

export { ASSET_MIME };
export type { IEditorApi, IEditorProps } from './usePipelineEditor';

export const RUN_DISABLED_REASON =
  'Running from the editor is not available yet (the pipeline service is not installed). Click for how to run this pipeline in a terminal.';

/** The terminal commands that run the pipeline at `path` (relative to the server root) with cwltool. */
export function runCommands(path: string, serverRoot = PageConfig.getOption('serverRoot')): string {
  const dir = PathExt.dirname(path);
  const root = serverRoot || '/';
  const folder = dir ? (root.endsWith('/') ? root + dir : `${root}/${dir}`) : root;
  const name = PathExt.basename(path);
  const job = `${PathExt.basename(name, PathExt.extname(name))}.job.yml`;
  return `cd ${folder}\ncwltool ${name} ${job}`;
}

/** Why Run does nothing yet, and how to run the pipeline meanwhile. */
function explainRun(path: string): void {
  const body = (
    <div className="dl-run-help">
      <p>Running a pipeline from the editor needs the Datalabs pipeline service, which this datalab does not have yet.</p>
      <p>
        Meanwhile, save the pipeline and run it with cwltool in a terminal (File &gt; New &gt; Terminal). The job file
        (YAML) gives the pipeline&apos;s inputs; <code>cwltool {PathExt.basename(path)} --help</code> lists them.
      </p>
      <pre className="dl-run-commands">{runCommands(path)}</pre>
    </div>
  );
  void showDialog({ title: 'Run this pipeline in a terminal', body, buttons: [Dialog.okButton({ label: 'Close' })] });
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

function ProblemsList(props: { problems: IProblem[]; server: IServerResult | null; onSelect: (node: string) => void }): JSX.Element {
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
  const e = usePipelineEditor(props);
  const { doc, api } = e;
  return (
    <div className="dl-pipeline-editor" data-revision={e.rev}>
      <div className="dl-pipeline-toolbar" role="toolbar">
        <button className="jp-Button dl-tb-validate" onClick={() => void api.validate()} disabled={e.validating} title="Check the pipeline with cwltool's validator on the server">
          {e.validating ? 'Validating…' : 'Validate'}
        </button>
        <button className="jp-Button dl-tb-export" onClick={() => exportCwl(doc, props.path())} title="Download the pipeline as a CWL v1.2 file">Export CWL</button>
        <span className="dl-tb-sep" />
        <button className="jp-Button dl-tb-undo" onClick={api.undo} disabled={!e.canUndo} title="Undo (Ctrl+Z)">Undo</button>
        <button className="jp-Button dl-tb-redo" onClick={api.redo} disabled={!e.canRedo} title="Redo (Ctrl+Shift+Z)">Redo</button>
        <button className="jp-Button dl-tb-copy" onClick={api.copy} title="Copy the selected steps (Ctrl+C)">Copy</button>
        <button className="jp-Button dl-tb-paste" onClick={api.paste} title="Paste steps (Ctrl+V)">Paste</button>
        <button className="jp-Button dl-tb-delete" onClick={api.deleteSelected} title="Delete the selection (Delete)">Delete</button>
        <span className="dl-tb-sep" />
        <button className="jp-Button dl-tb-fit" onClick={api.fit} title="Zoom to fit the whole pipeline">Fit</button>
        <button className="jp-Button dl-tb-layout" onClick={api.autoLayout} title="Arrange the nodes left to right (undoable)">Auto-layout</button>
        <span className="dl-tb-sep" />
        <button className="jp-Button dl-tb-run dl-tb-unavailable" aria-disabled="true" title={RUN_DISABLED_REASON}
          onClick={() => explainRun(props.path())}>Run…</button>
        <span className="dl-tb-info">{doc.steps.size} step{doc.steps.size === 1 ? '' : 's'}</span>
      </div>
      {e.status ? <div className={`dl-pipeline-status dl-status-${e.status.level}`} role="status">{e.status.text}</div> : null}
      <div className="dl-pipeline-body">
        <Palette assets={e.assets} error={e.assetError} onAdd={a => e.addAsset(a)} />
        <div className="dl-pipeline-canvas" ref={e.canvasRef} tabIndex={-1} onDragOver={e.onDragOver} onDrop={e.onDrop}>
          <ReactFlow
            nodes={e.nodes}
            edges={e.edges}
            nodeTypes={NODE_TYPES}
            {...e.flowHandlers}
            deleteKeyCode={['Delete', 'Backspace']}
            minZoom={0.05}
            onlyRenderVisibleElements={e.nodes.length > 200}
            proOptions={{ hideAttribution: true }}
          >
            <Background />
            <Controls />
            {e.nodes.length <= 150 ? <MiniMap pannable zoomable /> : null}
          </ReactFlow>
        </div>
        <Properties doc={doc} selected={e.selected} rev={e.rev} edit={e.edit} docPath={props.path()} />
      </div>
      <ProblemsList problems={e.problems} server={e.server} onSelect={e.selectNode} />
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
