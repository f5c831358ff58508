/**
 * The canvas nodes: a step with typed input ports (left) and output ports (right), a workflow input
 * (one output port) and a workflow output (one input port). Errors show on the node and the port.
 */
import { Handle, Node, NodeProps, Position } from '@xyflow/react';
import * as React from 'react';

import { INPUT_PREFIX, IProblem, OUTPUT_PREFIX, PipelineDocument } from '../model/document';
import { formatType } from '../model/types';

export interface IPortView {
  id: string;
  type: string;
  required: boolean;
  error?: string;
}

export interface INodeData extends Record<string, unknown> {
  kind: 'step' | 'input' | 'output';
  id: string;
  label: string;
  inPorts: IPortView[];
  outPorts: IPortView[];
  errors: number;
  warnings: number;
  firstProblem?: string;
  scatter: string[];
}

export type PipelineNode = Node<INodeData>;

function portError(problems: IProblem[], port: string): string | undefined {
  return problems.find(p => p.port === port && p.severity === 'error')?.message;
}

/** What a node shows, from the document's index (no copy of the document). */
export function nodeData(doc: PipelineDocument, id: string): INodeData {
  const problems = doc.problems.get(id) ?? [];
  const counts = {
    errors: problems.filter(p => p.severity === 'error').length,
    warnings: problems.filter(p => p.severity === 'warning').length,
    firstProblem: problems[0]?.message
  };
  if (id.startsWith(INPUT_PREFIX)) {
    const inp = doc.inputs.get(id.slice(INPUT_PREFIX.length))!;
    return {
      kind: 'input', id, label: inp.id, inPorts: [], scatter: [],
      outPorts: [{ id: inp.id, type: formatType(inp.type), required: false }],
      ...counts
    };
  }
  if (id.startsWith(OUTPUT_PREFIX)) {
    const out = doc.outputs.get(id.slice(OUTPUT_PREFIX.length))!;
    return {
      kind: 'output', id, label: out.id, outPorts: [], scatter: [],
      inPorts: [{ id: out.id, type: formatType(out.type), required: true, error: problems.find(p => p.severity === 'error')?.message }],
      ...counts
    };
  }
  const step = doc.steps.get(id)!;
  return {
    kind: 'step',
    id,
    label: step.label,
    scatter: step.scatter,
    inPorts: step.inPorts.map(p => ({
      id: p.id,
      type: formatType(p.type) + (step.scatter.includes(p.id) ? ' (scatter)' : ''),
      required: p.required,
      error: portError(problems, p.id)
    })),
    outPorts: step.outPorts.map(p => ({
      id: p.id,
      type: formatType(p.type) + (step.scatter.length > 0 ? '[]' : ''),
      required: false
    })),
    ...counts
  };
}

function PortRow(props: { port: IPortView; side: 'in' | 'out' }): JSX.Element {
  const { port, side } = props;
  return (
    <div
      className={`dl-port dl-port-${side}${port.error ? ' dl-port-error' : ''}`}
      data-port={port.id}
      title={port.error ?? `${port.id}: ${port.type}${port.required ? ' (required)' : ''}`}
    >
      <Handle
        type={side === 'in' ? 'target' : 'source'}
        position={side === 'in' ? Position.Left : Position.Right}
        id={port.id}
        className="dl-handle"
      />
      <span className="dl-port-name">{port.id}{port.required ? '*' : ''}</span>
      <span className="dl-port-type">{port.type}</span>
    </div>
  );
}

function PipelineNodeView(props: NodeProps<PipelineNode>): JSX.Element {
  const d = props.data;
  const status = d.errors > 0 ? 'error' : d.warnings > 0 ? 'warning' : 'ok';
  return (
    <div
      className={`dl-node dl-node-${d.kind} dl-node-${status}${props.selected ? ' dl-node-selected' : ''}`}
      data-node-id={d.id}
      title={d.firstProblem}
    >
      <div className="dl-node-title">
        <span className="dl-node-kind">{d.kind === 'step' ? (d.scatter.length > 0 ? 'step ⧉' : 'step') : d.kind}</span>
        <span className="dl-node-label">{d.label}</span>
        {d.errors + d.warnings > 0 ? (
          <span className={`dl-node-badge dl-badge-${status}`}>{d.errors > 0 ? d.errors : d.warnings}</span>
        ) : null}
      </div>
      <div className="dl-node-ports">
        <div className="dl-node-col">{d.inPorts.map(p => <PortRow key={p.id} port={p} side="in" />)}</div>
        <div className="dl-node-col dl-node-col-out">{d.outPorts.map(p => <PortRow key={p.id} port={p} side="out" />)}</div>
      </div>
    </div>
  );
}

export const PipelineNodeMemo = React.memo(PipelineNodeView);
export const NODE_TYPES = { pipeline: PipelineNodeMemo };
