/**
 * Where nodes go: auto-layout with dagre (left to right), the drawn node sizes, and the view a pipeline
 * opens with.
 */
import dagre from '@dagrejs/dagre';

import { IPosition, PipelineDocument } from './document';

export const NODE_WIDTH = 220;

/** Height of a drawn node with this many port rows (the views use the same figure). */
export function nodeHeight(rows: number): number {
  return 36 + 20 * Math.max(1, rows);
}

export function autoLayout(doc: PipelineDocument): Map<string, IPosition> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 30, ranksep: 80, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  const heights = new Map<string, number>();
  for (const id of doc.nodeIds()) {
    const step = doc.steps.get(id);
    const rows = step ? Math.max(step.inPorts.length, step.outPorts.length) : 1;
    heights.set(id, nodeHeight(rows));
    g.setNode(id, { width: NODE_WIDTH, height: nodeHeight(rows) });
  }
  for (const link of doc.links()) {
    g.setEdge(link.source.node, link.target.node);
  }
  dagre.layout(g);
  const out = new Map<string, IPosition>();
  for (const id of doc.nodeIds()) {
    const n = g.node(id);
    // dagre gives centres; the canvas wants top-left corners
    out.set(id, { x: Math.round(n.x - NODE_WIDTH / 2), y: Math.round(n.y - heights.get(id)! / 2) });
  }
  return out;
}

/** The lowest zoom the editor opens a pipeline at: node text stays about 9 px or larger. */
export const MIN_OPEN_ZOOM = 0.8;

export interface IRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface IViewport {
  x: number;
  y: number;
  zoom: number;
}

/**
 * The view a pipeline opens with: the whole pipeline when it fits at a readable zoom (at most 1), else
 * `MIN_OPEN_ZOOM` showing its start (the top left, where the inputs are) along each axis that does not fit.
 */
export function openingViewport(bounds: IRect, width: number, height: number, padding = 24): IViewport {
  if (bounds.width <= 0 || bounds.height <= 0 || width <= 0 || height <= 0) {
    return { x: padding - bounds.x, y: padding - bounds.y, zoom: 1 };
  }
  const fit = Math.min((width - 2 * padding) / bounds.width, (height - 2 * padding) / bounds.height);
  const zoom = Math.min(1, Math.max(MIN_OPEN_ZOOM, fit));
  const axis = (start: number, size: number, room: number) =>
    size * zoom <= room - 2 * padding ? (room - size * zoom) / 2 - start * zoom : padding - start * zoom;
  return { x: axis(bounds.x, bounds.width, width), y: axis(bounds.y, bounds.height, height), zoom };
}
