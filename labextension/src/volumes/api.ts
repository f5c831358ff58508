/**
 * Client of the server extension's `GET datalabs/api/volumes`.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

export const VOLUMES_API = 'datalabs/api/volumes';

/** One archive volume mounted in this datalab, as described by the server. */
export interface IVolume {
  id: string;
  title: string;
  mission: string[];
  description: string;
  mount_path: string;
  read_only: boolean;
  /** Path relative to the file browser's root (no leading slash), or null when outside it. */
  browser_path: string | null;
  available: boolean;
  /** Number of top-level entries, or null when unavailable. */
  entries: number | null;
  /** Why the volume is unavailable, or null. */
  reason: string | null;
}

export interface IVolumesReply {
  volumes: IVolume[];
  /** Set when the datalab's volume list (DATALABS_VOLUMES) is malformed. */
  error?: string;
}

/** Fetch the mounted volumes; throws `ServerConnection.ResponseError` on an HTTP error. */
export async function fetchVolumes(
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<IVolumesReply> {
  const url = URLExt.join(settings.baseUrl, VOLUMES_API);
  const response = await ServerConnection.makeRequest(url, {}, settings);
  if (!response.ok) {
    throw await ServerConnection.ResponseError.create(response);
  }
  return (await response.json()) as IVolumesReply;
}
