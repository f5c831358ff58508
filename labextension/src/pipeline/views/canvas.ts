/**
 * What the canvas draws, built from the document: nodes (reused while their version and position are
 * unchanged, so @xyflow/react redraws only edited ones), edges, and positions for nodes the file does not place.
 */
import { Edge } from '@xyflow/react';

import { ILink, INPUT_PREFIX, IPosition, PipelineDocument } from '../model/document';
import { autoLayout, NODE_WIDTH, nodeHeight } from '../model/layout';
import { nodeData, PipelineNode } from './nodes';

type CachedNode = PipelineNode & { _v?: number; _doc?: PipelineDocument };

export function buildNodes(
  doc: PipelineDocument, prev: PipelineNode[], fallback: Map<string, IPosition>, select?: Set<string>
): PipelineNode[] {
  const prevById = new Map(prev.map(n => [n.id, n as CachedNode]));
  const out: PipelineNode[] = [];
  for (const id of doc.nodeIds()) {
    const cached = prevById.get(id);
    const version = doc.nodeVersions.get(id) ?? 0;
    const position = doc.positions.get(id) ?? fallback.get(id) ?? { x: 0, y: 0 };
    const selected = select ? select.has(id) : cached?.selected ?? false;
    const same = cached && cached._v === version && cached._doc === doc;
    if (same && cached.position.x === position.x && cached.position.y === position.y && cached.selected === selected) {
      out.push(cached);
      continue;
    }
    const step = doc.steps.get(id);
    out.push({
      id,
      type: 'pipeline',
      position,
      // known sizes: the canvas can fit the view and skip off-screen nodes before it has measured them
      width: NODE_WIDTH,
      height: nodeHeight(step ? Math.max(step.inPorts.length, step.outPorts.length) : 1),
      data: same ? cached.data : nodeData(doc, id),
      selected,
      _v: version,
      _doc: doc
    } as CachedNode);
  }
  return out;
}

export function buildEdges(doc: PipelineDocument, prev: Edge[]): Edge[] {
  const selected = new Set(prev.filter(e => e.selected).map(e => e.id));
  return doc.links().map(l => ({
    id: l.id,
    source: l.source.node,
    sourceHandle: l.source.port,
    target: l.target.node,
    targetHandle: l.target.port,
    selected: selected.has(l.id)
  }));
}

/** The document's link an edge draws. */
export function linkOfEdge(e: Edge): ILink {
  return { id: e.id, source: { node: e.source, port: e.sourceHandle ?? '' }, target: { node: e.target, port: e.targetHandle ?? '' } };
}

/**
 * Positions for nodes the layout does not place (hand-written files, nodes added by a text editor):
 * all of them by auto-layout when nothing is placed, else each one next to a neighbour.
 */
export function missingPositions(doc: PipelineDocument): Map<string, IPosition> {
  const missing = doc.nodeIds().filter(id => !doc.positions.has(id));
  if (missing.length === 0) {
    return new Map();
  }
  if (doc.positions.size === 0) {
    return autoLayout(doc);
  }
  const out = new Map<string, IPosition>();
  let maxX = -Infinity;
  let minY = Infinity;
  for (const p of doc.positions.values()) {
    maxX = Math.max(maxX, p.x);
    minY = Math.min(minY, p.y);
  }
  let extra = 0;
  const near = (ids: Iterable<string>, dx: number): IPosition | null => {
    for (const n of ids) {
      const p = doc.positions.get(n) ?? out.get(n);
      if (p) {
        return { x: p.x + dx, y: p.y };
      }
    }
    return null;
  };
  for (const id of missing) {
    const p = id.startsWith(INPUT_PREFIX) ? near(doc.consumersOf(id), -NODE_WIDTH - 80) : near(doc.producersOf(id), NODE_WIDTH + 80);
    out.set(id, p ?? { x: maxX + NODE_WIDTH + 80, y: minY + 100 * extra++ });
  }
  return out;
}

