/**
 * The "Archive volumes" feature: left side panel + `datalabs:open-volume` command.
 */
import {
  ILabShell,
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { showErrorMessage } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';

import { openBlockedReason, VolumesPanel } from './panel';

export const OPEN_VOLUME_COMMAND = 'datalabs:open-volume';

export const volumesPlugin: JupyterFrontEndPlugin<void> = {
  id: 'datalabs-hub:volumes',
  description: 'Lists the archive volumes mounted in this datalab and opens them in the file browser.',
  autoStart: true,
  requires: [IDefaultFileBrowser],
  optional: [ILabShell, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    browser: IDefaultFileBrowser,
    labShell: ILabShell | null,
    restorer: ILayoutRestorer | null
  ) => {
    const panel = new VolumesPanel(id =>
      void app.commands.execute(OPEN_VOLUME_COMMAND, { id })
    );

    app.commands.addCommand(OPEN_VOLUME_COMMAND, {
      label: args => (args.id ? `Open Archive Volume ${args.id}` : 'Open Archive Volume'),
      caption: 'Show an archive volume in the file browser',
      describedBy: {
        args: {
          type: 'object',
          properties: { id: { type: 'string', description: 'Volume id' } },
          required: ['id']
        }
      },
      execute: async args => {
        const id = String(args.id ?? '');
        if (!panel.loaded) {
          await panel.refresh();
        }
        const volume = panel.volumes.find(v => v.id === id);
        const blocked = volume ? openBlockedReason(volume) : `No archive volume "${id}" is mounted.`;
        if (!volume || blocked !== null) {
          await showErrorMessage('Cannot open the archive volume', blocked ?? '');
          return;
        }
        await browser.model.cd('/' + volume.browser_path);
        app.shell.activateById(browser.id);
      }
    });

    if (labShell) {
      labShell.add(panel, 'left', { rank: 150 });
    } else {
      app.shell.add(panel, 'left', { rank: 150 });
    }
    restorer?.add(panel, panel.id);
  }
};
