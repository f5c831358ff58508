/**
 * Auto-layout with dagre (left to right): positions for every node of the pipeline graph.
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
