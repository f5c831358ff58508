/**
 * The pipeline editor feature: the `cwl` file type opened by the visual editor (default for .cwl, with
 * "Open With > Editor" still there), File > New > Pipeline, the example pipelines (launcher tiles and File
 * menu items that copy one into the user's home), a launcher tile, Elyra import, and the editor's keyboard
 * commands.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Dialog, showDialog, showErrorMessage, WidgetTracker } from '@jupyterlab/apputils';
import { PageConfig, PathExt } from '@jupyterlab/coreutils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ILauncher } from '@jupyterlab/launcher';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { LabIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

import { fetchAssets } from './api';
import { EXAMPLES, IExample } from './examples.generated';
import { NEW_PIPELINE, PipelineDocument } from './model/document';
import { importElyra } from './model/elyra';
import { IEditorApi } from './views/Editor';
import { FACTORY_NAME, PipelineDocumentWidget, PipelineEditorFactory } from './views/widget';

export const CMD = {
  create: 'datalabs:new-pipeline',
  importElyra: 'datalabs:import-elyra-pipeline',
  openExample: 'datalabs:open-example-pipeline',
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

/** Where example pipelines are copied: a folder in the user's home (the server's preferred directory). */
export function examplesFolder(): string {
  const home = PageConfig.getOption('preferredPath').replace(/^\/+|\/+$/g, '');
  return PathExt.join(home, 'pipeline-examples');
}

/** The error dialog when a file cannot be written in `dir` (as JupyterLab's own New Text File shows one). */
async function cannotWrite(what: string, dir: string, e: unknown): Promise<void> {
  const where = dir ? `/${dir}` : 'the top folder (/)';
  const why = dir === 'data' || dir.startsWith('data/') ? ': the archive volumes under /data are read-only' : '';
  const body = new Widget();
  for (const text of [
    `You cannot create files in ${where}${why}.`,
    `Go to your home folder (the house button above the file list) or one of its folders, and try again there.`,
    `The server said: ${(e as Error)?.message || String(e)}`
  ]) {
    body.node.appendChild(document.createElement('p')).textContent = text;
  }
  body.addClass('dl-error-body');
  await showDialog({ title: `Cannot create ${what}`, body, buttons: [Dialog.okButton({ label: 'Close' })] });
}

async function exists(app: JupyterFrontEnd, path: string): Promise<boolean> {
  try {
    await app.serviceManager.contents.get(path, { content: false });
    return true;
  } catch {
    return false;
  }
}

/** Copy an example (the workflow and its job file) into the user's examples folder, unless already there. */
async function copyExample(app: JupyterFrontEnd, example: IExample): Promise<string> {
  const contents = app.serviceManager.contents;
  const dir = examplesFolder();
  const workflow = PathExt.join(dir, example.files[0].name);
  if (await exists(app, workflow)) {
    return workflow; // the user's copy, perhaps edited: never overwritten
  }
  if (!(await exists(app, dir))) {
    await contents.save(dir, { type: 'directory' });
  }
  for (const file of [...example.files].reverse()) {
    await contents.save(PathExt.join(dir, file.name), { type: 'file', format: 'text', content: file.content });
  }
  return workflow;
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
        try {
          await app.serviceManager.contents.save(path, { type: 'file', format: 'text', content: NEW_PIPELINE });
        } catch (e) {
          return cannotWrite('a pipeline', dir, e);
        }
        return app.commands.execute('docmanager:open', { path, factory: FACTORY_NAME });
      }
    });

    const example = (args: Record<string, unknown>) => EXAMPLES.find(x => x.name === args.name) ?? null;
    app.commands.addCommand(CMD.openExample, {
      label: args => (args.isLauncher ? example(args)?.title ?? 'Example Pipeline' : `Example Pipeline: ${example(args)?.title ?? ''}`),
      caption: args =>
        `${example(args)?.description ?? ''} Copies the example and its job file to ~/${examplesFolder().split('/').pop()} ` +
        'and opens it (a copy you already have is opened as it is).',
      icon: pipelineIcon,
      describedBy: {
        args: { type: 'object', properties: { name: { type: 'string', description: 'Example name' } }, required: ['name'] }
      },
      execute: async args => {
        const chosen = example(args);
        if (!chosen) {
          return showErrorMessage('No such example pipeline', `There is no example pipeline "${String(args.name)}".`);
        }
        let path: string;
        try {
          path = await copyExample(app, chosen);
        } catch (e) {
          return cannotWrite('the example pipeline', examplesFolder(), e);
        }
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
    for (const x of EXAMPLES) {
      launcher?.add({ command: CMD.openExample, args: { name: x.name }, category: 'Example Pipelines', rank: 1 });
    }
    mainMenu?.fileMenu.addGroup(EXAMPLES.map(x => ({ command: CMD.openExample, args: { name: x.name } })), 3);
  }
};
