/**
 * Unit tests of the CWL document model (no DOM): round trip of the corpus, types, links, cycles,
 * scatter, live validation, bad input, Elyra import, copy/paste and undo.
 * Run with `npm test`; `tests/test_labextension_unit.py` runs them under pytest.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

import {
  EditResult,
  INPUT_PREFIX,
  LAYOUT_NAMESPACE,
  LEGACY_LAYOUT_CLASS,
  NEW_PIPELINE,
  OUTPUT_PREFIX,
  PipelineDocument
} from '../../src/pipeline/model/document';
import { importElyra, ElyraImportError } from '../../src/pipeline/model/elyra';
import { relativePath, toolForFile } from '../../src/pipeline/model/filestep';
import { generatedPipeline } from '../../src/pipeline/model/generate';
import { autoLayout, MIN_OPEN_ZOOM, NODE_WIDTH, nodeHeight, openingViewport } from '../../src/pipeline/model/layout';
import { EXAMPLES } from '../../src/pipeline/examples.generated';
import { PipelineSession } from '../../src/pipeline/model/session';
import { checkLink, formatType, parseType } from '../../src/pipeline/model/types';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../../..');
const CORPUS = join(REPO, 'tests/pipelines/corpus');
const FIXTURES = join(HERE, 'fixtures');
/** When set, documents the model wrote are left here for `cwltool --validate` (see the pytest wrapper). */
const OUT_DIR = process.env.DATALABS_MODEL_OUT;

function load(text: string): PipelineDocument {
  const r = PipelineDocument.parse(text);
  if (!r.ok) {
    throw new Error(r.error.message);
  }
  return r.document;
}

/** The value of an edit that must have been made. */
function value<T>(r: EditResult<T>): T {
  if (!r.ok) {
    throw new Error(`edit refused: ${r.message}`);
  }
  return r.value;
}

function emit(name: string, text: string): void {
  if (OUT_DIR) {
    mkdirSync(OUT_DIR, { recursive: true });
    writeFileSync(join(OUT_DIR, name), text);
  }
}

/** The document as data, without the editor's layout (its meaning for cwltool); old layout hints count as layout. */
function meaning(text: string): unknown {
  const data = parseYaml(text) as Record<string, unknown>;
  delete data['dl:layout'];
  const hints = data.hints;
  if (Array.isArray(hints)) {
    data.hints = hints.filter(h => (h as Record<string, unknown>).class !== LEGACY_LAYOUT_CLASS);
    if ((data.hints as unknown[]).length === 0) {
      delete data.hints;
    }
  } else if (hints && typeof hints === 'object') {
    delete (hints as Record<string, unknown>)[LEGACY_LAYOUT_CLASS];
    if (Object.keys(hints).length === 0) {
      delete data.hints;
    }
  }
  const ns = data.$namespaces as Record<string, unknown> | undefined;
  if (ns) {
    delete ns.dl;
    if (Object.keys(ns).length === 0) {
      delete data.$namespaces;
    }
  }
  return data;
}

/** The positions the `dl:layout` field of a saved text lists, by node id. */
function savedPositions(text: string): Map<string, { x: number; y: number }> {
  const nodes = (parseYaml(text)['dl:layout']?.nodes ?? []) as [string, number, number][];
  return new Map(nodes.map(([id, x, y]) => [id, { x, y }]));
}

function corpusFiles(): string[] {
  // the corpus, our fixtures, and the example pipelines the project ships
  const files = [CORPUS, FIXTURES, join(REPO, 'datalabs_hub/pipelines/examples')].flatMap(dir =>
    readdirSync(dir).filter(f => f.endsWith('.cwl')).map(f => join(dir, f))
  );
  assert.ok(files.length >= 5, `expected a corpus of workflows in ${CORPUS} and ${FIXTURES}`);
  return files;
}

test('every corpus workflow opens, and serializes byte-identical when untouched', () => {
  for (const file of corpusFiles()) {
    const text = readFileSync(file, 'utf8');
    const doc = load(text);
    assert.ok(doc.steps.size > 0, `${file}: no steps found`);
    assert.equal(doc.serialize(), text, file);
  }
});

test('moving a node changes only the layout: meaning and comments are kept', () => {
  for (const file of corpusFiles()) {
    const text = readFileSync(file, 'utf8');
    const doc = load(text);
    const first = [...doc.steps.keys()][0];
    // a step, and the workflow's first input and output: all three kinds of node are placed
    const moves = new Map([[first, { x: 123, y: 456 }]]);
    for (const node of [INPUT_PREFIX + [...doc.inputs.keys()][0], OUTPUT_PREFIX + [...doc.outputs.keys()][0]]) {
      if (doc.hasNode(node)) {
        moves.set(node, { x: -50, y: 70 });
      }
    }
    doc.setPositions(moves);
    const saved = doc.serialize();
    assert.deepEqual(meaning(saved), meaning(text), `${file}: meaning changed`);
    for (const line of text.split('\n')) {
      const comment = line.indexOf('# ');
      if (line.trim().startsWith('#') && comment >= 0) {
        assert.ok(saved.includes(line.trim()), `${file}: comment lost: ${line}`);
      }
    }
    const again = load(saved);
    for (const [node, p] of moves) {
      assert.deepEqual(again.positions.get(node), p, `${file}: ${node}`);
    }
    assert.equal(parseYaml(saved).$namespaces.dl, LAYOUT_NAMESPACE);
    assert.doesNotMatch(saved, /class: dl:Layout|dl:Layout:/, `${file}: the old layout hint is still there`);
    emit(`moved-${file.split('/').pop()}`, saved);
  }
});

test('the links of hand-written workflows are read in both the map and the list syntax', () => {
  const doc = load(readFileSync(join(CORPUS, '12-list-syntax.cwl'), 'utf8'));
  const links = doc.links().map(l => `${l.source.node}/${l.source.port}->${l.target.node}/${l.target.port}`);
  assert.ok(links.includes('input:text/text->upcase/file'), links.join(', '));
  assert.ok(links.includes('upcase/out->count/file'));
  assert.ok(links.includes('upcase/out->output:upper/upper'), 'a "#wf/step/port" outputSource is a link');
  assert.deepEqual(doc.allProblems().filter(p => p.severity === 'error'), []);
});

test('CWL types parse, print and check like cwltool', () => {
  assert.equal(formatType(parseType('File[]')), 'File[]');
  assert.equal(formatType(parseType('int?')), 'int?');
  assert.equal(formatType(parseType({ type: 'array', items: 'Directory' })), 'Directory[]');
  assert.equal(formatType(parseType(['null', 'string'])), 'string?');
  assert.equal(formatType(parseType({ type: 'enum', symbols: ['a', 'b'] })), 'enum(a|b)');
  assert.equal(formatType(parseType('stdout')), 'File');
  assert.equal(checkLink(parseType('File'), parseType('File')).level, 'ok');
  assert.equal(checkLink(parseType('File'), parseType('File?')).level, 'ok');
  assert.equal(checkLink(parseType('File'), parseType('Any')).level, 'ok');
  assert.equal(checkLink(parseType('File'), parseType('Directory')).level, 'error');
  assert.equal(checkLink(parseType('int'), parseType('string')).level, 'error');
  assert.equal(checkLink(parseType('File[]'), parseType('File[]')).level, 'ok');
  assert.equal(checkLink(parseType('int?'), parseType('int')).level, 'warning');
  const arr = checkLink(parseType('File[]'), parseType('File'));
  assert.equal(arr.level, 'error');
  assert.match(arr.message, /scatter/);
  assert.equal(checkLink(parseType({ type: 'enum', symbols: ['a'] }), parseType('string')).level, 'ok');
  const rec = { type: 'record', fields: [{ name: 'a', type: 'int' }] };
  assert.equal(checkLink(parseType(rec), parseType(rec)).level, 'ok');
  assert.equal(checkLink(parseType(rec), parseType('File')).level, 'error');
});

const CUT = {
  class: 'CommandLineTool',
  label: 'Cut',
  baseCommand: ['cut'],
  inputs: { table: { type: 'File', inputBinding: { position: 1 } }, columns: { type: 'string', default: '1' } },
  outputs: { out: { type: 'stdout' } },
  stdout: 'cut.txt'
};
const LIST_DIR = {
  cwlVersion: 'v1.2',
  class: 'CommandLineTool',
  baseCommand: ['ls'],
  inputs: { dir: { type: 'Directory', inputBinding: { position: 1 } } },
  outputs: { listing: { type: 'stdout' } }
};

function twoSteps(): { doc: PipelineDocument; a: string; b: string } {
  const doc = load(NEW_PIPELINE);
  const a = value(doc.addStep(CUT, 'cut', { x: 0, y: 0 }));
  const b = value(doc.addStep(CUT, 'cut', { x: 300, y: 0 }));
  return { doc, a, b };
}

test('a new step is embedded inline and its required inputs are flagged until connected', () => {
  const { doc, a, b } = twoSteps();
  assert.equal(a, 'cut');
  assert.equal(b, 'cut_2');
  const problems = doc.problems.get(a)!;
  assert.ok(problems.some(p => p.severity === 'error' && p.port === 'table' && /Required input "table" \(File\)/.test(p.message)));
  assert.ok(!problems.some(p => p.port === 'columns'), 'an input with a default needs no link');
  const inp = value(doc.addInput('table', parseType('File'), undefined, { node: a, port: 'table' }));
  assert.ok(!doc.problems.get(a)!.some(p => p.severity === 'error'));
  assert.equal(doc.connect({ node: a, port: 'out' }, { node: b, port: 'table' }).ok, true);
  const out = value(doc.addOutput('result', { node: b, port: 'out' }));
  assert.deepEqual(doc.allProblems().filter(p => p.severity === 'error'), []);
  const data = parseYaml(doc.serialize());
  assert.equal(data.steps.cut.run.class, 'CommandLineTool');
  assert.equal(data.steps.cut.in.table, inp);
  assert.equal(data.steps.cut_2.in.table, 'cut/out');
  assert.deepEqual(data.outputs[out], { type: 'File', outputSource: 'cut_2/out' });
  assert.equal(data.steps.cut.run.cwlVersion, undefined);
  emit('built-two-steps.cwl', doc.serialize());
});

test('an incompatible link is refused with a message and changes nothing', () => {
  const doc = load(NEW_PIPELINE);
  const cut = value(doc.addStep(CUT, 'cut'));
  const ls = value(doc.addStep(LIST_DIR, 'ls'));
  const before = doc.serialize();
  const r = doc.connect({ node: cut, port: 'out' }, { node: ls, port: 'dir' });
  assert.equal(r.ok, false);
  assert.match(r.message!, /File cannot feed Directory/);
  assert.equal(doc.serialize(), before);
});

test('a link that would close a cycle is refused', () => {
  const { doc, a, b } = twoSteps();
  assert.equal(doc.connect({ node: a, port: 'out' }, { node: b, port: 'table' }).ok, true);
  const r = doc.connect({ node: b, port: 'out' }, { node: a, port: 'table' });
  assert.equal(r.ok, false);
  assert.match(r.message!, /cycle/);
  const self = doc.connect({ node: a, port: 'out' }, { node: a, port: 'table' });
  assert.equal(self.ok, false);
});

test('scatter over an array input: File[] feeds a File port once scattered, outputs become arrays', () => {
  const doc = load(NEW_PIPELINE);
  const cut = value(doc.addStep(CUT, 'cut'));
  const tables = value(doc.addInput('tables', parseType('File[]')));
  const refused = doc.connect({ node: INPUT_PREFIX + tables, port: tables }, { node: cut, port: 'table' });
  assert.equal(refused.ok, false);
  assert.match(refused.message!, /scatter/);
  doc.setScatter(cut, ['table']);
  assert.equal(doc.connect({ node: INPUT_PREFIX + tables, port: tables }, { node: cut, port: 'table' }).ok, true);
  const out = value(doc.addOutput('cuts', { node: cut, port: 'out' }));
  const data = parseYaml(doc.serialize());
  assert.equal(data.steps.cut.scatter, 'table');
  assert.deepEqual(data.requirements, { ScatterFeatureRequirement: {} });
  assert.equal(data.outputs[out].type, 'File[]');
  assert.deepEqual(doc.allProblems().filter(p => p.severity === 'error'), []);
  emit('scatter.cwl', doc.serialize());
  // the corpus' scatter workflows check clean too
  for (const f of ['02-scatter-dotproduct.cwl', '03-scatter-flat-crossproduct.cwl', '14-directory-nested-scatter.cwl']) {
    const d = load(readFileSync(join(CORPUS, f), 'utf8'));
    assert.deepEqual(d.allProblems().filter(p => p.severity === 'error'), [], f);
  }
});

test('live validation: unconnected output, invalid identifier, type mismatch, dangling source', () => {
  const doc = load(readFileSync(join(FIXTURES, 'problems.yml'), 'utf8'));
  const messages = doc.allProblems().filter(p => p.severity === 'error').map(p => `${p.node}: ${p.message}`);
  const has = (re: RegExp) => assert.ok(messages.some(m => re.test(m)), `${re} not in\n${messages.join('\n')}`);
  has(/^output:nowhere: Workflow output "nowhere" is not connected/);
  has(/^bad id: Step id "bad id" is not a valid identifier/);
  has(/^count: Input "file": Directory cannot feed File/);
  has(/^count2: Input "file" reads "ghost\/out", which does not exist/);
  has(/^count2: Required input "lines"/);
});

test('validation is incremental: an edit re-checks only the nodes it touches and their neighbours', () => {
  const doc = load(generatedPipeline(300));
  doc.setStepDefault('step_150', 'level', 7);
  const touched = [...doc.nodeVersions.keys()].sort();
  assert.deepEqual(touched, ['step_149', 'step_150', 'step_151']);
});

test('removing a step removes the links to it and its layout entry', () => {
  const { doc, a, b } = twoSteps();
  doc.connect({ node: a, port: 'out' }, { node: b, port: 'table' });
  const out = value(doc.addOutput('result', { node: a, port: 'out' }));
  doc.removeNodes([a]);
  const data = parseYaml(doc.serialize());
  assert.equal(data.steps.cut, undefined);
  assert.equal(data.steps.cut_2.in.table, undefined);
  assert.equal(data.outputs[out].outputSource, undefined);
  assert.equal(savedPositions(doc.serialize()).has('cut'), false);
  assert.equal(savedPositions(doc.serialize()).has('cut_2'), true);
  assert.ok(doc.problems.get(OUTPUT_PREFIX + out)!.some(p => /not connected/.test(p.message)));
});

test('copy/paste gives fresh ids and keeps links between the copied steps only', () => {
  const { doc, a, b } = twoSteps();
  const inp = value(doc.addInput('table', parseType('File'), undefined, { node: a, port: 'table' }));
  doc.connect({ node: a, port: 'out' }, { node: b, port: 'table' });
  const pasted = value(doc.pasteSteps(JSON.parse(JSON.stringify(doc.copySteps([a, b])))));
  assert.deepEqual(pasted, ['cut_3', 'cut_4']);
  const data = parseYaml(doc.serialize());
  assert.equal(data.steps.cut_3.in.table, inp, 'a workflow input stays linked');
  assert.equal(data.steps.cut_4.in.table, 'cut_3/out', 'the internal link follows the copy');
  assert.deepEqual(savedPositions(doc.serialize()).get('cut_4'), { x: 340, y: 40 });
});

test('undo and redo restore edits and moves', () => {
  const session = new PipelineSession(load(NEW_PIPELINE));
  const empty = session.doc.serialize();
  const id = value(session.edit('Add step', d => d.addStep(CUT, 'cut', { x: 10, y: 10 })));
  const withStep = session.doc.serialize();
  session.move(new Map([[id, { x: 99, y: 99 }]]));
  assert.deepEqual(session.doc.positions.get(id), { x: 99, y: 99 });
  session.undo();
  assert.deepEqual(session.doc.positions.get(id), { x: 10, y: 10 });
  session.undo();
  assert.equal(session.doc.serialize(), empty);
  assert.equal(session.doc.steps.size, 0);
  session.redo();
  assert.equal(session.doc.serialize(), withStep);
  const refused = session.edit('Bad link', d => d.connect({ node: id, port: 'out' }, { node: id, port: 'table' }));
  assert.equal(refused.ok, false);
  session.undo();
  assert.equal(session.doc.steps.size, 0, 'a refused edit leaves no undo entry');
});

test('bad input: each gets a clear message and no document', () => {
  const cases: [string, RegExp, string][] = [
    ['cwlVersion: v1.2\nclass: Workflow\nsteps: {a: [1, 2}\n', /not valid YAML/, 'yaml'],
    ['cwlVersion: v1.2\nclass: CommandLineTool\nbaseCommand: echo\ninputs: []\noutputs: []\n', /is a CWL CommandLineTool, not a Workflow/, 'not-workflow'],
    ['just: some\nplain: yaml\n', /has no `class`/, 'not-workflow'],
    ['- a\n- b\n', /not a CWL document/, 'not-workflow'],
    ['cwlVersion: v9.9\nclass: Workflow\ninputs: {}\noutputs: {}\nsteps: {}\n', /cwlVersion "v9.9" is not supported/, 'version'],
    ['class: Workflow\ninputs: {}\noutputs: {}\nsteps: {}\n', /cwlVersion is missing/, 'version'],
    ['cwlVersion: v1.2\nclass: Workflow\ninputs: 3\noutputs: {}\nsteps: {}\n', /`inputs` must be a mapping or a list/, 'structure'],
    [generatedPipeline(1) + '#' + 'x'.repeat(5 * 1024 * 1024) + '\n', /5\.0 MB.*up to 4 MB.*Open it as text/, 'too-large']
  ];
  for (const [text, re, kind] of cases) {
    const r = PipelineDocument.parse(text);
    assert.equal(r.ok, false, text.slice(0, 40));
    if (!r.ok) {
      assert.match(r.error.message, re);
      assert.equal(r.error.kind, kind);
    }
  }
  const bad = PipelineDocument.parse('cwlVersion: v1.2\nclass: Workflow\nsteps:\n  a: {run: x\n');
  assert.ok(!bad.ok && bad.error.line !== undefined, 'a YAML error says where');
});

const ELYRA = {
  doc_type: 'pipeline',
  version: '3.0',
  id: 'p1',
  primary_pipeline: 'main',
  pipelines: [
    {
      id: 'main',
      nodes: [
        {
          id: 'n1',
          type: 'execution_node',
          op: 'execute-notebook-node',
          app_data: {
            label: 'prepare.ipynb',
            component_parameters: {
              filename: 'work/prepare.ipynb',
              runtime_image: 'python:3.12-slim',
              dependencies: ['work/helpers.py'],
              env_vars: ['MODE=fast', { env_var: 'LEVEL', value: '2' }],
              outputs: ['table.csv'],
              cpu: 2,
              memory: 4
            },
            ui_data: { x_pos: 100, y_pos: 50 }
          },
          inputs: [{ id: 'inPort', links: [] }],
          outputs: [{ id: 'outPort' }]
        },
        {
          id: 'n2',
          type: 'execution_node',
          op: 'execute-python-node',
          app_data: {
            label: 'plot',
            component_parameters: { filename: 'work/plot.py', outputs: ['plots/*.png'] },
            ui_data: { x_pos: 400, y_pos: 50 }
          },
          inputs: [{ id: 'inPort', links: [{ id: 'l1', node_id_ref: 'n1', port_id_ref: 'outPort' }] }],
          outputs: [{ id: 'outPort' }]
        }
      ],
      app_data: { properties: { name: 'Elyra demo', runtime: 'Generic' } }
    }
  ]
};

test('Elyra pipeline-flow v3 import: generic nodes become CommandLineTool steps', () => {
  const { workflow, warnings } = importElyra(ELYRA);
  assert.deepEqual(warnings, []);
  const doc = PipelineDocument.fromObject(workflow);
  assert.deepEqual([...doc.steps.keys()], ['prepare', 'plot']);
  const data = parseYaml(doc.serialize());
  const prep = data.steps.prepare.run;
  assert.deepEqual(prep.hints.DockerRequirement, { dockerPull: 'python:3.12-slim' });
  assert.deepEqual(prep.requirements.EnvVarRequirement.envDef, { MODE: 'fast', LEVEL: '2' });
  assert.deepEqual(prep.requirements.ResourceRequirement, { coresMin: 2, ramMin: 4096 });
  assert.deepEqual(prep.requirements.InitialWorkDirRequirement.listing, ['$(inputs.script)', '$(inputs.dependencies)']);
  assert.deepEqual(prep.inputs.script.default, { class: 'File', location: 'work/prepare.ipynb' });
  assert.deepEqual(prep.baseCommand, ['papermill', '--log-output']);
  assert.deepEqual(prep.outputs.table_csv, { type: 'File', outputBinding: { glob: 'table.csv' } });
  const plot = data.steps.plot;
  assert.deepEqual(plot.run.baseCommand, ['python']);
  assert.equal(plot.in.prepare_table_csv, 'prepare/table_csv');
  assert.equal(plot.run.outputs.png.type, 'File[]');
  assert.equal(plot.run.outputs.png.outputBinding.glob, 'plots/*.png');
  assert.deepEqual(doc.positions.get('plot'), { x: 400, y: 50 });
  assert.ok(Object.keys(data.outputs).includes('plot_png'));
  assert.deepEqual(doc.allProblems().filter(p => p.severity === 'error'), []);
  emit('elyra-import.cwl', doc.serialize());
});

test('Elyra import explains what it cannot carry over and refuses what is not Elyra', () => {
  const noOutputs = JSON.parse(JSON.stringify(ELYRA));
  noOutputs.pipelines[0].nodes[0].app_data.component_parameters.outputs = [];
  noOutputs.pipelines[0].nodes[1].app_data.component_parameters.gpu = 1;
  const { warnings } = importElyra(noOutputs);
  assert.ok(warnings.some(w => /declares no output files/.test(w)));
  assert.ok(warnings.some(w => /GPU/.test(w)));
  assert.throws(() => importElyra({ doc_type: 'notebook' }), ElyraImportError);
  assert.throws(() => importElyra({ ...ELYRA, version: '2.0' }), /version "2.0" is not supported/);
  const rNode = JSON.parse(JSON.stringify(ELYRA));
  rNode.pipelines[0].nodes[0].app_data.component_parameters.filename = 'x.R';
  assert.throws(() => importElyra(rNode), /R steps are not supported/);
});

test('a dragged notebook or script becomes the same kind of step', () => {
  assert.equal(relativePath('pipelines', 'notebooks/a.ipynb'), '../notebooks/a.ipynb');
  assert.equal(relativePath('', 'a.py'), 'a.py');
  assert.equal(relativePath('a/b', 'a/b/c.py'), 'c.py');
  const tool = toolForFile({ filename: 'scripts/hello.py' });
  assert.deepEqual(tool.baseCommand, ['python']);
  assert.deepEqual(tool.arguments, ['hello.py']);
  assert.throws(() => toolForFile({ filename: 'data.csv' }), /neither a notebook/);
});

test('auto-layout places every node left to right along the links', () => {
  const doc = load(generatedPipeline(5, false));
  const pos = autoLayout(doc);
  assert.equal(pos.size, doc.nodeIds().length);
  assert.ok(pos.get('step_1')!.x < pos.get('step_2')!.x);
  assert.ok(pos.get(INPUT_PREFIX + 'source')!.x < pos.get('step_1')!.x);
});

test('generated pipelines (the benchmark\'s) open clean and keep their meaning when re-serialized', () => {
  for (const n of [50, 300]) {
    const text = generatedPipeline(n);
    const doc = load(text);
    assert.equal(doc.steps.size, n);
    assert.deepEqual(doc.allProblems().filter(p => p.severity === 'error'), []);
    doc.setPositions(new Map([['step_1', { x: 1, y: 1 }]]));
    assert.deepEqual(meaning(doc.serialize()), meaning(text));
  }
  emit('generated-50.cwl', generatedPipeline(50));
});

test('a new pipeline grows in block style (readable, and PyYAML reads `string?` in it)', () => {
  const doc = load(NEW_PIPELINE);
  doc.addStep({ ...CUT, inputs: { ...CUT.inputs, extra: { type: 'string?' } } }, 'cut', { x: 0, y: 0 });
  doc.addInput('table', parseType('File'), undefined, { node: 'cut', port: 'table' });
  const text = doc.serialize();
  assert.match(text, /^steps:\n  cut:\n    run:\n/m);
  assert.match(text, /^inputs:\n  table:\n/m);
  assert.doesNotMatch(text, /\{ type: string\?/);
});

test('moving nodes of a file with a layout rewrites only the layout: every other byte is kept', () => {
  for (const file of [join(CORPUS, '11-editor-layout.cwl')]) {
    const text = readFileSync(file, 'utf8');
    const doc = load(text);
    doc.setPositions(new Map([['shout', { x: 999, y: 7 }]]));
    const saved = doc.serialize();
    const a = text.split('\n');
    const b = saved.split('\n');
    let head = 0;
    while (head < a.length && a[head] === b[head]) {
      head++;
    }
    let tail = 0;
    while (tail < a.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) {
      tail++;
    }
    const changedOld = a.slice(head, a.length - tail).join('\n');
    const changedNew = b.slice(head, b.length - tail).join('\n');
    assert.ok(!/steps|inputs:|outputs:|run:/.test(changedOld + changedNew), `${file}: changed outside the layout:\n${changedOld}\n---\n${changedNew}`);
    assert.match(changedNew, /999/);
    assert.deepEqual(meaning(saved), meaning(text));
    assert.deepEqual(load(saved).positions.get('shout'), { x: 999, y: 7 });
    assert.deepEqual(load(saved).positions.get('make'), doc.positions.get('make'));
  }
  const gen = load(generatedPipeline(300));
  gen.setPositions(new Map([['step_1', { x: 1, y: 1 }]]));
  const t0 = performance.now();
  const out = gen.serialize();
  const ms = performance.now() - t0;
  assert.equal(out.length > 100000, true);
  assert.ok(ms < 1000, `serialize of a moved 300-step pipeline took ${ms} ms`);
});

test('files with the old dl:Layout hint open with their positions, and the first edit moves them to dl:layout', () => {
  for (const file of [join(FIXTURES, 'legacy-layout-hint.cwl'), join(FIXTURES, 'legacy-layout-map-form.cwl')]) {
    const text = readFileSync(file, 'utf8');
    const doc = load(text);
    assert.equal(doc.hasLegacyLayout, true, file);
    const make = doc.positions.get('make')!;
    assert.ok(make, `${file}: positions of the old hint are read`);
    assert.equal(doc.serialize(), text, 'untouched, the file stays as it was');
    doc.setPositions(new Map([['shout', { x: 999, y: 7 }]]));
    const saved = doc.serialize();
    assert.doesNotMatch(saved, /class: dl:Layout|dl:Layout:/, `${file}: the old hint is gone`);
    assert.deepEqual(meaning(saved), meaning(text), `${file}: meaning changed`);
    assert.deepEqual(savedPositions(saved), new Map([['make', make], ['shout', { x: 999, y: 7 }]]));
    assert.ok(saved.includes('# inputs follow') || !text.includes('# inputs follow'), `${file}: a comment was lost`);
    const again = load(saved);
    assert.equal(again.hasLegacyLayout, false);
    assert.deepEqual(again.positions.get('make'), make);
    emit(`migrated-${file.split('/').pop()}`, saved);
    // saving without an edit: the widget runs this edit first
    const untouched = load(text);
    const migrated = untouched.migrateLayout();
    assert.ok(migrated.ok);
    assert.deepEqual(meaning(untouched.serialize()), meaning(text));
    assert.deepEqual(savedPositions(untouched.serialize()), new Map(load(text).positions));
    assert.equal(untouched.migrateLayout().ok, false, 'nothing left to migrate');
  }
});

test('layout entries are a list: node ids named like CWL fields (id, run, source, inputs) stay plain data', () => {
  const doc = load(NEW_PIPELINE);
  for (const id of ['id', 'run', 'source', 'inputs']) {
    value(doc.addStep(CUT, id, { x: 1, y: 2 }));
    value(doc.addOutput(`${id}_out`, { node: id, port: 'out' }));
  }
  const type = value(doc.addInput('type', parseType('File'), undefined, { node: 'run', port: 'table' }, { x: 3, y: 4 }));
  for (const id of ['id', 'source', 'inputs']) {
    value(doc.connect({ node: INPUT_PREFIX + type, port: type }, { node: id, port: 'table' }));
  }
  const saved = doc.serialize();
  assert.deepEqual(savedPositions(saved).get('input:type'), { x: 3, y: 4 });
  assert.deepEqual([...load(saved).positions.keys()].sort(), ['id', 'input:type', 'inputs', 'run', 'source']);
  emit('layout-field-names.cwl', saved);
});

test('a file whose `dl` prefix names another namespace gets the layout under its own prefix', () => {
  const text = NEW_PIPELINE.replace(`dl: ${LAYOUT_NAMESPACE}`, 'dl: https://example.org/other#');
  const doc = load(text);
  value(doc.addStep(CUT, 'cut', { x: 5, y: 6 }));
  const data = parseYaml(doc.serialize());
  assert.equal(data.$namespaces.dl, 'https://example.org/other#');
  assert.equal(data.$namespaces.dl2, LAYOUT_NAMESPACE);
  assert.deepEqual(data['dl2:layout'].nodes, [['cut', 5, 6]]);
  assert.deepEqual(load(doc.serialize()).positions.get('cut'), { x: 5, y: 6 });
});

test('edits return typed results: the value and the nodes changed, or a refusal that changes nothing', () => {
  const { doc, a, b } = twoSteps();
  const before = doc.serialize();
  const refusedLink = doc.connect({ node: a, port: 'nope' }, { node: b, port: 'table' });
  assert.deepEqual(refusedLink, { ok: false, message: `There is no output "nope" on "${a}".` });
  assert.equal(doc.serialize(), before);
  const made = doc.connect({ node: a, port: 'out' }, { node: b, port: 'table' });
  assert.ok(made.ok);
  assert.deepEqual([...made.changed].sort(), [a, b].sort());
  const gone = doc.disconnect({ id: 'x', source: { node: a, port: 'out' }, target: { node: b, port: 'table' } });
  assert.ok(gone.ok);
  const again = doc.disconnect({ id: 'x', source: { node: a, port: 'out' }, target: { node: b, port: 'table' } });
  assert.equal(again.ok, false);
});

test('the shipped example pipelines place every node apart', () => {
  for (const example of EXAMPLES) {
    const loaded = PipelineDocument.parse(example.files[0].content);
    assert.ok(loaded.ok, example.name);
    const doc = loaded.document;
    const boxes = doc.nodeIds().map(id => {
      const p = doc.positions.get(id);
      assert.ok(p, `${example.name}: ${id} has no saved position (it would be drawn on a neighbour)`);
      const step = doc.steps.get(id);
      return { id, x: p.x, y: p.y, w: NODE_WIDTH, h: nodeHeight(step ? Math.max(step.inPorts.length, step.outPorts.length) : 1) };
    });
    for (const a of boxes) {
      for (const b of boxes) {
        if (a.id < b.id) {
          const apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
          assert.ok(apart, `${example.name}: ${a.id} overlaps ${b.id}`);
        }
      }
    }
    assert.equal(example.files[1].name, `${example.name}.job.yml`);
  }
});

test('a pipeline opens at a readable zoom: all of it when it fits, else its start', () => {
  // fits at zoom 1: centred
  assert.deepEqual(openingViewport({ x: 0, y: 0, width: 400, height: 200 }, 800, 400), { x: 200, y: 100, zoom: 1 });
  // fits when zoomed out to 0.9: the whole pipeline
  const small = openingViewport({ x: 0, y: 0, width: 1000, height: 200 }, 948, 600);
  assert.equal(small.zoom, 0.9);
  // too wide even at the minimum zoom: minimum zoom, the left (the inputs) at the padding, centred vertically
  const wide = openingViewport({ x: -100, y: 0, width: 1120, height: 400 }, 500, 700);
  assert.equal(wide.zoom, MIN_OPEN_ZOOM);
  assert.equal(wide.x, 24 + 100 * MIN_OPEN_ZOOM);
  assert.equal(wide.y, (700 - 400 * MIN_OPEN_ZOOM) / 2);
});
