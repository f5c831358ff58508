/**
 * Client of the server extension's pipeline API: processing assets for the palette and cwltool's validator.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

export const ASSETS_API = 'datalabs/api/pipelines/assets';
export const VALIDATE_API = 'datalabs/api/pipelines/validate';

/** A processing asset: a self-contained CWL v1.2 CommandLineTool with what the palette shows. */
export interface IAsset {
  id: string;
  label: string;
  description: string;
  category: string;
  tool: Record<string, unknown>;
}

export interface IServerProblem {
  severity: 'error' | 'warning' | string;
  message: string;
  line?: number | null;
  column?: number | null;
  source?: string;
}

export interface IValidateReply {
  valid: boolean;
  problems: IServerProblem[];
}

async function call<T>(path: string, init: RequestInit, settings: ServerConnection.ISettings): Promise<T> {
  const url = URLExt.join(settings.baseUrl, path);
  const response = await ServerConnection.makeRequest(url, init, settings);
  if (!response.ok) {
    throw await ServerConnection.ResponseError.create(response);
  }
  return (await response.json()) as T;
}

export async function fetchAssets(settings = ServerConnection.makeSettings()): Promise<IAsset[]> {
  const reply = await call<{ assets: IAsset[] }>(ASSETS_API, {}, settings);
  return reply.assets;
}

/** Run cwltool's validator on the document text; `path` (relative to the server root) resolves relative files. */
export async function validateOnServer(
  content: string,
  path: string,
  settings = ServerConnection.makeSettings()
): Promise<IValidateReply> {
  return call<IValidateReply>(
    VALIDATE_API,
    { method: 'POST', body: JSON.stringify({ content, path }), headers: { 'Content-Type': 'application/json' } },
    settings
  );
}
