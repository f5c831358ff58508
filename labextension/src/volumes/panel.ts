/**
 * The "Archive volumes" side panel: a plain Lumino widget that renders the volume list.
 *
 * Stable hooks for UI tests: the panel's `id` is `datalabs-volumes-panel` and its
 * `data-state` is `loading`, `ready` or `error`; each volume is an `li.dl-volume`
 * with `data-volume-id` and `data-available`.
 */
import { Widget } from '@lumino/widgets';

import { fetchVolumes, IVolume } from './api';
import { volumesIcon } from './icon';

export const PANEL_ID = 'datalabs-volumes-panel';

export const EMPTY_MESSAGE =
  'No archive volumes are mounted in this datalab. ' +
  'Pick volumes when you launch a datalab from the catalogue.';

type State = 'loading' | 'ready' | 'error';

export class VolumesPanel extends Widget {
  constructor(private readonly _onOpen: (id: string) => void) {
    super();
    this.id = PANEL_ID;
    this.addClass('dl-volumes');
    this.title.icon = volumesIcon;
    this.title.caption = 'Archive volumes';
    this._render();
  }

  /** The volumes of the last successful load (empty before it). */
  get volumes(): readonly IVolume[] {
    return this._volumes;
  }

  /** Whether the list has been loaded at least once. */
  get loaded(): boolean {
    return this._loaded;
  }

  /** Reload the list from the server; concurrent calls share one request. */
  refresh(): Promise<void> {
    if (!this._pending) {
      this._pending = this._load().finally(() => (this._pending = null));
    }
    return this._pending;
  }

  protected onAfterShow(): void {
    void this.refresh();
  }

  private async _load(): Promise<void> {
    this._state = 'loading';
    this._render();
    try {
      const reply = await fetchVolumes();
      this._volumes = reply.volumes;
      this._error = reply.error ?? null;
      this._state = 'ready';
      this._loaded = true;
    } catch (reason) {
      this._error = `Could not load the archive volumes: ${String(reason)}`;
      this._state = 'error';
    }
    this._render();
  }

  private _render(): void {
    const node = this.node;
    node.dataset.state = this._state;
    node.replaceChildren();

    const header = el('div', 'dl-volumes-header');
    header.append(el('h2', 'dl-volumes-heading', 'Archive volumes'));
    const refresh = el('button', 'dl-volumes-refresh jp-mod-styled', 'Refresh');
    refresh.title = 'Check the volumes again';
    refresh.addEventListener('click', () => void this.refresh());
    header.append(refresh);
    node.append(header);

    if (this._state === 'loading' && !this._loaded) {
      node.append(el('div', 'dl-volumes-loading', 'Loading…'));
      return;
    }
    if (this._error) {
      const error = el('div', 'dl-volumes-error', this._error);
      error.setAttribute('role', 'alert');
      node.append(error);
    }
    if (this._volumes.length === 0) {
      if (!this._error) {
        node.append(el('p', 'dl-volumes-empty', EMPTY_MESSAGE));
      }
      return;
    }
    const list = el('ul', 'dl-volumes-list');
    for (const volume of this._volumes) {
      list.append(this._renderVolume(volume));
    }
    node.append(list);
  }

  private _renderVolume(volume: IVolume): HTMLElement {
    const item = el('li', 'dl-volume');
    item.dataset.volumeId = volume.id;
    item.dataset.available = String(volume.available);
    item.classList.toggle('dl-mod-unavailable', !volume.available);

    item.append(el('div', 'dl-volume-title', volume.title));
    if (volume.mission.length > 0) {
      const missions = el('div', 'dl-volume-missions');
      for (const mission of volume.mission) {
        missions.append(el('span', 'dl-volume-mission', mission));
      }
      item.append(missions);
    }
    if (volume.description) {
      item.append(el('p', 'dl-volume-description', volume.description));
    }

    const path = el('div', 'dl-volume-path');
    path.append(el('code', 'dl-volume-mount', volume.mount_path));
    if (volume.read_only) {
      path.append(el('span', 'dl-volume-badge dl-volume-readonly', 'read-only'));
    }
    if (volume.entries !== null) {
      const noun = volume.entries === 1 ? 'entry' : 'entries';
      path.append(el('span', 'dl-volume-entries', `${volume.entries} ${noun}`));
    }
    item.append(path);

    if (!volume.available) {
      item.append(el('div', 'dl-volume-reason', volume.reason ?? 'Unavailable.'));
    }

    const open = el('button', 'dl-volume-open jp-mod-styled jp-mod-accept', 'Open');
    open.dataset.volumeId = volume.id;
    const blocked = openBlockedReason(volume);
    open.disabled = blocked !== null;
    open.title = blocked ?? `Show ${volume.mount_path} in the file browser`;
    open.addEventListener('click', () => this._onOpen(volume.id));
    item.append(open);
    return item;
  }

  private _volumes: IVolume[] = [];
  private _error: string | null = null;
  private _state: State = 'loading';
  private _loaded = false;
  private _pending: Promise<void> | null = null;
}

/**
 * The file browser folder that holds the volumes the browser can reach (e.g. `data` for `/data/<id>`):
 * the common parent of their folders, or null when none is reachable.
 */
export function volumesFolder(volumes: readonly IVolume[]): string | null {
  const parents = volumes
    .filter(v => v.browser_path !== null && v.browser_path !== '')
    .map(v => v.browser_path!.split('/').slice(0, -1));
  if (parents.length === 0) {
    return null;
  }
  let common = parents[0];
  for (const parts of parents.slice(1)) {
    let n = 0;
    while (n < common.length && n < parts.length && common[n] === parts[n]) {
      n++;
    }
    common = common.slice(0, n);
  }
  return common.join('/');
}

/** Why a volume cannot be opened in the file browser, or null when it can. */
export function openBlockedReason(volume: IVolume): string | null {
  if (!volume.available) {
    return volume.reason ?? 'The volume is unavailable.';
  }
  if (volume.browser_path === null) {
    return `${volume.mount_path} is outside the file browser's root folder.`;
  }
  return null;
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}
