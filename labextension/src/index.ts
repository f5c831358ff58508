/**
 * Datalabs JupyterLab extension: one plugin per feature folder.
 */
import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { fileBrowserHomePlugin } from './filebrowser/home';
import { pipelinePlugin } from './pipeline/plugin';
import { volumesPlugin } from './volumes/plugin';

const plugins: JupyterFrontEndPlugin<any>[] = [volumesPlugin, pipelinePlugin, fileBrowserHomePlugin];

export default plugins;
