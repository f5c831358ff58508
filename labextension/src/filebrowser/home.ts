/**
 * The file browser's house button goes to the user's home.
 *
 * A datalab's server root is `/` so that the file browser reaches the archive volumes at `/data/<id>`, and
 * the user's home is the server's preferred directory (`FileContentsManager.preferred_dir`), where the file
 * browser opens. JupyterLab 4.6's breadcrumbs offer a "preferred directory" button and, next to it, a root
 * button that goes to `/`, the host's top folder, where the user cannot create files. This plugin makes the
 * root button the home button: it goes to (and shows) the preferred directory; the duplicate preferred
 * button is hidden. `/` and `/data` stay reachable: the volumes panel's Open, the file browser's archive
 * volumes button, and the path crumbs.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { showErrorMessage } from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { homeIcon } from '@jupyterlab/ui-components';

const HOME_CRUMB = '.jp-BreadCrumbs-home';
/** Set on the file browser when its house button goes home (the stylesheet then hides the preferred button). */
export const HOME_CLASS = 'dl-mod-home-crumb';

/** The user's home as a file browser path (`/home/alice`), or null when the server sets no preferred directory. */
export function homePath(preferred = PageConfig.getOption('preferredPath')): string | null {
  const trimmed = preferred.replace(/^\/+|\/+$/g, '');
  return trimmed ? `/${trimmed}` : null;
}

export const fileBrowserHomePlugin: JupyterFrontEndPlugin<void> = {
  id: 'datalabs-hub:file-browser-home',
  description: "The file browser's house button goes to the user's home (the preferred directory), not to /.",
  autoStart: true,
  requires: [IDefaultFileBrowser],
  activate: (app: JupyterFrontEnd, browser: IDefaultFileBrowser) => {
    const home = homePath();
    if (home === null) {
      return; // the server root is the user's folder: the root button already goes home
    }
    browser.addClass(HOME_CLASS);
    const goHome = (event: Event) => {
      const crumb = (event.target as Element | null)?.closest?.(HOME_CRUMB);
      if (!crumb || !browser.node.contains(crumb)) {
        return;
      }
      // before the breadcrumbs' own handler (which would go to /)
      event.preventDefault();
      event.stopPropagation();
      browser.model.cd(home).catch(e => void showErrorMessage('Cannot open your home folder', (e as Error).message));
    };
    browser.node.addEventListener('click', goHome, true);
    browser.node.addEventListener('keydown', event => (event as KeyboardEvent).key === 'Enter' && goHome(event), true);
    // the crumb element is created once and re-used: give it the house icon and say where it goes
    const relabel = () => {
      const crumb = browser.node.querySelector<HTMLElement>(HOME_CRUMB);
      if (crumb && crumb.dataset.dlHome !== home) {
        crumb.dataset.dlHome = home;
        crumb.title = `Your home folder (${home})`;
        crumb.replaceChildren(homeIcon.element({ tag: 'span', stylesheet: 'breadCrumb' }));
      }
    };
    browser.model.refreshed.connect(() => requestAnimationFrame(relabel));
  }
};
