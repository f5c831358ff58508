/**
 * Datalabs JupyterLab extension: one plugin per feature folder.
 */
import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { volumesPlugin } from './volumes/plugin';

const plugins: JupyterFrontEndPlugin<any>[] = [volumesPlugin];

export default plugins;
