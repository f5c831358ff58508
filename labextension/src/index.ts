/**
 * Datalabs JupyterLab extension: one plugin per feature folder.
 */
import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { pipelinePlugin } from './pipeline/plugin';
import { volumesPlugin } from './volumes/plugin';

const plugins: JupyterFrontEndPlugin<any>[] = [volumesPlugin, pipelinePlugin];

export default plugins;
