import { LabIcon } from '@jupyterlab/ui-components';

/** A stack of disks: the "Archive volumes" side panel tab. */
export const volumesIcon = new LabIcon({
  name: 'datalabs:volumes',
  svgstr: `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M12 2C7.58 2 4 3.34 4 5v14c0 1.66 3.58 3 8 3s8-1.34 8-3V5c0-1.66-3.58-3-8-3zm0 1.8c3.5 0 5.72.98 6 1.2-.28.22-2.5 1.2-6 1.2S6.28 5.22 6 5c.28-.22 2.5-1.2 6-1.2zM18 19c-.28.22-2.5 1.2-6 1.2S6.28 19.22 6 19v-2.46c1.46.72 3.64 1.06 6 1.06s4.54-.34 6-1.06V19zm0-4.6c-.28.22-2.5 1.2-6 1.2s-5.72-.98-6-1.2v-2.46c1.46.72 3.64 1.06 6 1.06s4.54-.34 6-1.06v2.46zm0-4.6c-.28.22-2.5 1.2-6 1.2S6.28 10.02 6 9.8V7.34c1.46.72 3.64 1.06 6 1.06s4.54-.34 6-1.06V9.8z"/>
  </g>
</svg>`
});
