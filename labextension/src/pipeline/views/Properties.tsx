/**
 * Properties of the selected node: step parameters (defaults), scatter, links; workflow inputs' type and
 * default; workflow outputs. Without a selection: the pipeline's summary and how to build one.
 */
import * as React from 'react';

import { EditResult, INPUT_PREFIX, OUTPUT_PREFIX, PipelineDocument } from '../model/document';
import { formatType, itemsOf, parseType } from '../model/types';
import { parseValue, valueText } from './values';

export interface IPropertiesProps {
  doc: PipelineDocument;
  selected: string | null;
  rev: number;
  docPath: string;
  edit: <T>(label: string, fn: (d: PipelineDocument) => EditResult<T>) => EditResult<T>;
}

/** A text field that commits on Enter or when it loses focus, and says what is wrong with its value. */
function Field(props: { label: string; value: string; placeholder?: string; onCommit: (text: string) => string | null; name: string }): JSX.Element {
  const [text, setText] = React.useState(props.value);
  const [error, setError] = React.useState<string | null>(null);
  React.useEffect(() => {
    setText(props.value);
    setError(null);
  }, [props.value]);
  const commit = () => {
    if (text !== props.value) {
      setError(props.onCommit(text));
    }
  };
  return (
    <label className="dl-field">
      <span className="dl-field-label">{props.label}</span>
      <input
        className={`jp-mod-styled dl-field-input${error ? ' dl-field-bad' : ''}`}
        name={props.name}
        value={text}
        placeholder={props.placeholder}
        onChange={e => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={e => {
          if (e.key === 'Enter') {
            commit();
          }
        }}
      />
      {error ? <span className="dl-field-error">{error}</span> : null}
    </label>
  );
}

function StepProperties(props: IPropertiesProps & { id: string }): JSX.Element {
  const { doc, id, edit } = props;
  const step = doc.steps.get(id)!;
  const pos = doc.positions.get(id) ?? { x: 0, y: 0 };
  return (
    <div className="dl-props" data-props-for={id}>
      <div className="dl-section-title">Step {id}</div>
      <Field name="label" label="Label" value={step.label === id ? '' : step.label} placeholder={id}
        onCommit={t => { edit('Rename', d => d.setLabel(id, t)); return null; }} />
      {step.toolDoc ? <p className="dl-muted dl-tool-doc">{step.toolDoc}</p> : null}
      {step.run === 'ref' ? <p className="dl-muted">Runs {step.runRef} (ports as the step declares them).</p> : null}
      {step.when ? <p className="dl-muted">Runs only when {step.when}</p> : null}
      <div className="dl-subtitle">Inputs</div>
      {step.inPorts.length === 0 ? <p className="dl-muted">None.</p> : null}
      {step.inPorts.map(port => {
        const inp = step.ins.get(port.id);
        const linked = inp && inp.sources.length > 0;
        return (
          <div key={port.id} className="dl-prop-port" data-port={port.id}>
            <div className="dl-prop-port-head">
              <b>{port.id}</b> <span className="dl-port-type">{formatType(port.type)}</span>
              {port.required ? <span className="dl-required" title="required">*</span> : null}
            </div>
            {port.doc || port.label ? <div className="dl-muted">{port.label ?? port.doc}</div> : null}
            {linked ? (
              <div className="dl-linked">← {inp!.sources.join(', ')}</div>
            ) : inp?.valueFrom ? (
              <div className="dl-linked">valueFrom {inp.valueFrom}</div>
            ) : (
              <Field
                name={`default-${port.id}`}
                label="Value"
                value={valueText(inp?.default)}
                placeholder={port.type.kind === 'primitive' && (port.type.name === 'File' || port.type.name === 'Directory')
                  ? 'path, e.g. /data/astronomy/…' : port.required ? 'required' : 'tool default'}
                onCommit={t => {
                  const r = parseValue(t, port.type);
                  if (!r.ok) {
                    return r.message;
                  }
                  edit('Set value', d => d.setStepDefault(id, port.id, r.value));
                  return null;
                }}
              />
            )}
            <div className="dl-prop-actions">
              <label title="Run this step once per item of the array linked to this input">
                <input
                  type="checkbox"
                  className="dl-scatter"
                  checked={step.scatter.includes(port.id)}
                  onChange={e => {
                    const next = e.target.checked ? [...step.scatter, port.id] : step.scatter.filter(s => s !== port.id);
                    edit('Scatter', d => d.setScatter(id, next, step.scatterMethod));
                  }}
                />{' '}
                scatter
              </label>
              {!linked ? (
                <button
                  className="jp-Button dl-expose-input"
                  title="Make this a workflow input, given when the pipeline runs"
                  onClick={() =>
                    edit('Add workflow input', d =>
                      d.addInput(port.id, step.scatter.includes(port.id) ? { kind: 'array', items: port.type } : port.type,
                        step.ins.get(port.id)?.default, { node: id, port: port.id }, { x: pos.x - 300, y: pos.y })
                    )
                  }
                >
                  → workflow input
                </button>
              ) : null}
            </div>
          </div>
        );
      })}
      {step.scatter.length > 1 ? (
        <label className="dl-field">
          <span className="dl-field-label">Scatter method</span>
          <select
            value={step.scatterMethod ?? 'dotproduct'}
            onChange={e => edit('Scatter method', d => d.setScatter(id, step.scatter, e.target.value))}
          >
            <option value="dotproduct">dotproduct (pairs items)</option>
            <option value="flat_crossproduct">flat_crossproduct</option>
            <option value="nested_crossproduct">nested_crossproduct</option>
          </select>
        </label>
      ) : null}
      <div className="dl-subtitle">Outputs</div>
      {step.outPorts.map(port => (
        <div key={port.id} className="dl-prop-port" data-port={port.id}>
          <b>{port.id}</b> <span className="dl-port-type">{formatType(port.type)}{step.scatter.length > 0 ? '[]' : ''}</span>{' '}
          <button
            className="jp-Button dl-expose-output"
            title="Keep this result as an output of the pipeline"
            onClick={() => edit('Add workflow output', d => d.addOutput(port.id, { node: id, port: port.id }, { x: pos.x + 300, y: pos.y }))}
          >
            → workflow output
          </button>
        </div>
      ))}
    </div>
  );
}

function InputProperties(props: IPropertiesProps & { id: string }): JSX.Element {
  const { doc, edit } = props;
  const inp = doc.inputs.get(props.id.slice(INPUT_PREFIX.length))!;
  return (
    <div className="dl-props" data-props-for={props.id}>
      <div className="dl-section-title">Workflow input {inp.id}</div>
      <Field name="type" label="Type" value={formatType(inp.type)} placeholder="File, int, string?, File[]…"
        onCommit={t => {
          const type = parseType(t.trim());
          if (type.kind === 'unknown') {
            return `"${t}" is not a CWL type: use File, Directory, string, int, long, float, double, boolean, with [] for arrays and ? for optional.`;
          }
          edit('Input type', d => d.updateInput(inp.id, type, inp.default));
          return null;
        }} />
      <Field name="default" label="Default" value={valueText(inp.default)}
        placeholder={itemsOf(inp.type) ? 'items separated by commas' : 'none (given in the job file)'}
        onCommit={t => {
          const r = parseValue(t, inp.type);
          if (!r.ok) {
            return r.message;
          }
          edit('Input default', d => d.updateInput(inp.id, inp.type, r.value));
          return null;
        }} />
      <p className="dl-muted">Linked to: {[...(doc.consumersOf(props.id))].join(', ') || 'nothing yet'}</p>
    </div>
  );
}

function OutputProperties(props: IPropertiesProps & { id: string }): JSX.Element {
  const out = props.doc.outputs.get(props.id.slice(OUTPUT_PREFIX.length))!;
  return (
    <div className="dl-props" data-props-for={props.id}>
      <div className="dl-section-title">Workflow output {out.id}</div>
      <p>Type: <span className="dl-port-type">{formatType(out.type)}</span></p>
      <p>From: {out.sources.join(', ') || 'not connected: drag a link from a step output to this node'}</p>
    </div>
  );
}

export function Properties(props: IPropertiesProps): JSX.Element {
  const { doc, selected } = props;
  let body: JSX.Element;
  if (selected === null) {
    body = (
      <div className="dl-props">
        <div className="dl-section-title">{doc.label || 'Pipeline'}</div>
        <p>
          {doc.steps.size} steps, {doc.inputs.size} inputs, {doc.outputs.size} outputs.
        </p>
        <p className="dl-muted">
          Drag processing assets from the palette onto the canvas, link an output port (right) to an input port (left),
          and select a step to set its parameters. Saving writes a CWL v1.2 workflow you can run with cwltool.
        </p>
      </div>
    );
  } else if (selected.startsWith(INPUT_PREFIX)) {
    body = <InputProperties {...props} id={selected} />;
  } else if (selected.startsWith(OUTPUT_PREFIX)) {
    body = <OutputProperties {...props} id={selected} />;
  } else {
    body = <StepProperties {...props} id={selected} />;
  }
  const problems = selected ? doc.problems.get(selected) ?? [] : [];
  return (
    <div className="dl-properties" aria-label="Properties">
      {body}
      {problems.length > 0 ? (
        <ul className="dl-node-problems">
          {problems.map((p, i) => <li key={i} className={`dl-problem dl-problem-${p.severity}`}>{p.message}</li>)}
        </ul>
      ) : null}
    </div>
  );
}
