/**
 * The pipeline editor as a JupyterLab document: a DocumentWidget on a `.cwl` file. The file's text is
 * parsed once; edits are written back to the document model when saving. A file the editor cannot read
 * shows why (with "Open as text") and is never written: the editor only writes documents it parsed.
 */
import { ReactWidget } from '@jupyterlab/apputils';
import { ABCWidgetFactory, DocumentRegistry, DocumentWidget } from '@jupyterlab/docregistry';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { IAsset } from '../api';
import { ILoadError, PipelineDocument } from '../model/document';
import { PipelineSession } from '../model/session';
import { IEditorApi, PipelineEditor } from './Editor';

export const FACTORY_NAME = 'Pipeline Editor';
const CONTENTS_MIME = 'application/x-jupyter-icontents';

export interface IPipelineOptions {
  loadAssets: () => Promise<IAsset[]>;
  openAsText: (path: string) => void;
}

function LoadErrorView(props: { error: ILoadError; path: string; openAsText: () => void }): JSX.Element {
  return (
    <div className="dl-pipeline-error" role="alert">
      <h2>This file cannot be opened in the pipeline editor</h2>
      <p className="dl-pipeline-error-message">{props.error.message}</p>
      {props.error.line ? <p>Line {props.error.line}{props.error.column ? `, column ${props.error.column}` : ''}.</p> : null}
      <p>The file was not changed: the pipeline editor never saves a file it could not read.</p>
      <button className="jp-Button jp-mod-styled jp-mod-accept dl-open-as-text" onClick={props.openAsText}>
        Open as text
      </button>
    </div>
  );
}

/** The content of a pipeline document widget. */
export class PipelineEditorContent extends ReactWidget {
  session: PipelineSession | null = null;
  loadError: ILoadError | null = null;
  private api: IEditorApi | null = null;
  private syncedRevision = 0;
  private writing = false;
  private loaded = false;
  private loads = 0;

  constructor(
    private readonly context: DocumentRegistry.Context,
    private readonly options: IPipelineOptions
  ) {
    super();
    this.addClass('dl-pipeline-widget');
    void context.ready.then(() => {
      this.load();
      context.model.contentChanged.connect(this.onModelChanged, this);
      context.saveState.connect((_, state) => {
        if (state === 'started') {
          this.syncToModel();
        }
      });
    });
  }

  get editorApi(): IEditorApi | null {
    return this.api;
  }

  /** Parse the file's text; on failure, keep it untouched and explain. */
  private load(): void {
    const text = this.context.model.toString();
    const t0 = performance.now();
    const result = PipelineDocument.parse(text);
    if (result.ok) {
      this.session = new PipelineSession(result.document);
      this.loadError = null;
    } else {
      this.session = null;
      this.loadError = result.error;
    }
    this.syncedRevision = 0;
    this.loaded = true;
    this.loads++;
    this.node.dataset.parseMs = (performance.now() - t0).toFixed(1);
    this.node.dataset.state = result.ok ? 'ready' : 'error';
    this.update();
  }

  /** The file changed under us (revert, or edited as text in another tab): read it again. */
  private onModelChanged(): void {
    if (this.writing) {
      return;
    }
    if (this.session && this.context.model.toString() === this.session.doc.serialize()) {
      return;
    }
    this.load();
  }

  /**
   * Write the edited document into the document model (only a document that was parsed and edited).
   * A file in the old layout format is saved in the current one (cwltool warns about the old hint and
   * looks its namespace up on the network).
   */
  syncToModel(): void {
    if (this.session?.doc.hasLegacyLayout) {
      this.session.edit('Update the layout format', d => d.migrateLayout());
    }
    if (!this.session || this.session.revision === this.syncedRevision) {
      return;
    }
    this.writing = true;
    try {
      this.context.model.fromString(this.session.doc.serialize());
    } finally {
      this.writing = false;
    }
    this.syncedRevision = this.session.revision;
  }

  private onEdit(): void {
    this.context.model.dirty = true;
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    for (const t of ['lm-dragenter', 'lm-dragover', 'lm-drop']) {
      this.node.addEventListener(t, this, true);
    }
  }

  protected onBeforeDetach(msg: Message): void {
    for (const t of ['lm-dragenter', 'lm-dragover', 'lm-drop']) {
      this.node.removeEventListener(t, this, true);
    }
    super.onBeforeDetach(msg);
  }

  /** Files dragged from the file browser (Lumino drag events) become steps. */
  handleEvent(event: Event): void {
    const drag = event as Event & {
      mimeData?: { hasData(m: string): boolean; getData(m: string): unknown };
      proposedAction?: string;
      dropAction?: string;
      clientX: number;
      clientY: number;
    };
    if (!drag.mimeData?.hasData(CONTENTS_MIME) || !this.session) {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    if (event.type === 'lm-drop') {
      drag.dropAction = 'copy';
      const paths = drag.mimeData.getData(CONTENTS_MIME) as string[];
      this.api?.dropFiles(paths, drag.clientX, drag.clientY);
    } else if (event.type === 'lm-dragover') {
      drag.dropAction = drag.proposedAction ?? 'move';
    }
  }

  render(): JSX.Element {
    if (!this.loaded) {
      return <div className="dl-muted dl-pipeline-loading">Loading the pipeline…</div>;
    }
    if (!this.session) {
      return (
        <LoadErrorView
          error={this.loadError!}
          path={this.context.path}
          openAsText={() => this.options.openAsText(this.context.path)}
        />
      );
    }
    return (
      <PipelineEditor
        key={this.loads}
        session={this.session}
        path={() => this.context.localPath}
        loadAssets={this.options.loadAssets}
        onChange={() => this.onEdit()}
        register={api => {
          this.api = api;
        }}
      />
    );
  }
}

export class PipelineDocumentWidget extends DocumentWidget<PipelineEditorContent> {}

export class PipelineEditorFactory extends ABCWidgetFactory<PipelineDocumentWidget> {
  constructor(
    options: DocumentRegistry.IWidgetFactoryOptions<PipelineDocumentWidget>,
    private readonly pipelineOptions: IPipelineOptions
  ) {
    super(options);
  }

  protected createNewWidget(context: DocumentRegistry.Context): PipelineDocumentWidget {
    const content = new PipelineEditorContent(context, this.pipelineOptions);
    const widget = new PipelineDocumentWidget({ content, context });
    widget.addClass('dl-pipeline-document');
    return widget;
  }
}
