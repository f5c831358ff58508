/**
 * The pipeline editor feature: the `cwl` file type opened by the visual editor (default for .cwl, with
 * "Open With > Editor" still there), File > New > Pipeline, a launcher tile, Elyra import, and the
 * editor's keyboard commands.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { showDialog, showErrorMessage, WidgetTracker } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ILauncher } from '@jupyterlab/launcher';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { LabIcon } from '@jupyterlab/ui-components';

import { fetchAssets } from './api';
import { NEW_PIPELINE, PipelineDocument } from './model/document';
import { importElyra } from './model/elyra';
import { IEditorApi } from './views/Editor';
import { FACTORY_NAME, PipelineDocumentWidget, PipelineEditorFactory } from './views/widget';

export const CMD = {
  create: 'datalabs:new-pipeline',
  importElyra: 'datalabs:import-elyra-pipeline',
  undo: 'datalabs:pipeline-undo',
  redo: 'datalabs:pipeline-redo',
  copy: 'datalabs:pipeline-copy',
  paste: 'datalabs:pipeline-paste',
  validate: 'datalabs:pipeline-validate'
};

const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
<g class="jp-icon3" fill="#616161"><rect x="1" y="3" width="7" height="6" rx="1"/><rect x="16" y="3" width="7" height="6" rx="1"/>
<rect x="8.5" y="15" width="7" height="6" rx="1"/><path d="M8 6h8v1H8zM4 9h1v4h7v2h-1v-1H4zM19 9h1v5h-7v-1h6z"/></g></svg>`;

export const pipelineIcon = new LabIcon({ name: 'datalabs:pipeline', svgstr: ICON_SVG });

/** A free `<stem>.cwl` (`<stem>-2.cwl`, ...) in `dir`. */
async function freePath(app: JupyterFrontEnd, dir: string, stem: string): Promise<string> {
  for (let i = 1; ; i++) {
    const path = PathExt.join(dir, i === 1 ? `${stem}.cwl` : `${stem}-${i}.cwl`);
    try {
      await app.serviceManager.contents.get(path, { content: false });
    } catch {
      return path;
    }
  }
}

export const pipelinePlugin: JupyterFrontEndPlugin<void> = {
  id: 'datalabs-hub:pipeline-editor',
  description: 'A visual editor for pipelines saved as CWL v1.2 workflows.',
  autoStart: true,
  requires: [IDefaultFileBrowser],
  optional: [ILauncher, IMainMenu],
  activate: (app: JupyterFrontEnd, browser: IDefaultFileBrowser, launcher: ILauncher | null, mainMenu: IMainMenu | null) => {
    app.docRegistry.addFileType({
      name: 'cwl',
      displayName: 'CWL workflow',
      extensions: ['.cwl'],
      mimeTypes: ['text/x-yaml'],
      contentType: 'file',
      fileFormat: 'text',
      icon: pipelineIcon
    });
    const openAsText = (path: string) => void app.commands.execute('docmanager:open', { path, factory: 'Editor' });
    const factory = new PipelineEditorFactory(
      { name: FACTORY_NAME, label: 'Pipeline Editor', fileTypes: ['cwl'], defaultFor: ['cwl'], modelName: 'text' },
      { loadAssets: () => fetchAssets(), openAsText }
    );
    app.docRegistry.addWidgetFactory(factory);
    const tracker = new WidgetTracker<PipelineDocumentWidget>({ namespace: 'datalabs-pipeline' });
    factory.widgetCreated.connect((_, widget) => {
      widget.title.icon = pipelineIcon;
      void tracker.add(widget);
    });

    app.commands.addCommand(CMD.create, {
      label: args => (args.isLauncher ? 'Pipeline' : args.isPalette ? 'New Pipeline' : 'Pipeline'),
      caption: 'Create a CWL pipeline and open it in the visual editor',
      icon: args => (args.isPalette ? undefined : pipelineIcon),
      execute: async args => {
        const dir = typeof args.cwd === 'string' ? args.cwd : browser.model.path;
        const path = await freePath(app, dir, 'untitled-pipeline');
        await app.serviceManager.contents.save(path, { type: 'file', format: 'text', content: NEW_PIPELINE });
        return app.commands.execute('docmanager:open', { path, factory: FACTORY_NAME });
      }
    });

    app.commands.addCommand(CMD.importElyra, {
      label: 'Import Elyra Pipeline as CWL',
      caption: 'Convert an Elyra .pipeline file into a CWL workflow next to it (the .pipeline file is kept)',
      icon: pipelineIcon,
      isVisible: () => [...browser.selectedItems()].some(i => i.path.endsWith('.pipeline')),
      execute: async () => {
        for (const item of browser.selectedItems()) {
          if (!item.path.endsWith('.pipeline')) {
            continue;
          }
          try {
            const file = await app.serviceManager.contents.get(item.path, { content: true, format: 'text', type: 'file' });
            let json: unknown;
            try {
              json = JSON.parse(String(file.content));
            } catch (e) {
              throw new Error(`${item.name} is not valid JSON: ${(e as Error).message}`);
            }
            const { workflow, warnings } = importElyra(json);
            const text = PipelineDocument.fromObject(workflow).serialize();
            const dir = PathExt.dirname(item.path);
            const path = await freePath(app, dir, PathExt.basename(item.path, '.pipeline'));
            await app.serviceManager.contents.save(path, { type: 'file', format: 'text', content: text });
            await app.commands.execute('docmanager:open', { path, factory: FACTORY_NAME });
            if (warnings.length > 0) {
              void showDialog({
                title: `Imported ${item.name} as ${PathExt.basename(path)}`,
                body: `Not carried over:\n• ${warnings.join('\n• ')}`
              });
            }
          } catch (e) {
            await showErrorMessage(`Cannot import ${item.name}`, (e as Error).message);
          }
        }
      }
    });
    app.contextMenu.addItem({ command: CMD.importElyra, selector: '.jp-DirListing-item[data-file-type]', rank: 10 });

    const current = (): IEditorApi | null => tracker.currentWidget?.content.editorApi ?? null;
    const editorCommand = (id: string, label: string, run: (api: IEditorApi) => void) =>
      app.commands.addCommand(id, {
        label,
        isEnabled: () => current() !== null,
        execute: () => {
          const api = current();
          if (api) {
            run(api);
          }
        }
      });
    editorCommand(CMD.undo, 'Undo Pipeline Edit', api => api.undo());
    editorCommand(CMD.redo, 'Redo Pipeline Edit', api => api.redo());
    editorCommand(CMD.copy, 'Copy Pipeline Steps', api => api.copy());
    editorCommand(CMD.paste, 'Paste Pipeline Steps', api => api.paste());
    editorCommand(CMD.validate, 'Validate Pipeline with cwltool', api => void api.validate());
    const selector = '.dl-pipeline-canvas';
    app.commands.addKeyBinding({ command: CMD.undo, keys: ['Accel Z'], selector });
    app.commands.addKeyBinding({ command: CMD.redo, keys: ['Accel Shift Z'], selector });
    app.commands.addKeyBinding({ command: CMD.redo, keys: ['Accel Y'], selector });
    app.commands.addKeyBinding({ command: CMD.copy, keys: ['Accel C'], selector });
    app.commands.addKeyBinding({ command: CMD.paste, keys: ['Accel V'], selector });

    launcher?.add({ command: CMD.create, category: 'Other', rank: 1 });
    mainMenu?.fileMenu.newMenu.addGroup([{ command: CMD.create }], 40);
  }
};
