/**
 * The "Archive volumes" feature: left side panel, `datalabs:open-volume` command, and a file browser
 * toolbar button that goes to the folder holding the volumes (`/data`).
 */
import {
  ILabShell,
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { showErrorMessage, ToolbarButton } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';

import { volumesIcon } from './icon';
import { openBlockedReason, volumesFolder, VolumesPanel } from './panel';

export const OPEN_VOLUME_COMMAND = 'datalabs:open-volume';
export const OPEN_VOLUMES_FOLDER_COMMAND = 'datalabs:open-volumes-folder';

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

    app.commands.addCommand(OPEN_VOLUMES_FOLDER_COMMAND, {
      label: 'Open the Archive Volumes Folder',
      caption: 'Show the folder of the archive volumes (/data) in the file browser',
      icon: volumesIcon,
      execute: async () => {
        if (!panel.loaded) {
          await panel.refresh();
        }
        const folder = volumesFolder(panel.volumes);
        if (folder === null) {
          app.shell.activateById(panel.id); // says why: no volumes, or none the file browser reaches
          return;
        }
        await browser.model.cd('/' + folder);
      }
    });
    browser.toolbar.insertItem(
      10,
      'datalabs-volumes-folder',
      new ToolbarButton({
        icon: volumesIcon,
        tooltip: 'Archive volumes (/data)',
        onClick: () => void app.commands.execute(OPEN_VOLUMES_FOLDER_COMMAND)
      })
    );

    if (labShell) {
      labShell.add(panel, 'left', { rank: 150 });
    } else {
      app.shell.add(panel, 'left', { rank: 150 });
    }
    restorer?.add(panel, panel.id);
  }
};
