/**
 * Generated pipelines for benchmarks and tests: a chain of `n` steps, each an inline CommandLineTool
 * with a File input, an int parameter and a File output, fed by the step before it.
 */
export function generatedPipeline(n: number, withLayout = true): string {
  const lines: string[] = [
    'cwlVersion: v1.2',
    'class: Workflow',
    `label: Generated pipeline with ${n} steps`,
    '$namespaces:',
    '  dl: https://datalabs.dev/cwl#',
    'inputs:',
    '  source: File',
    'outputs:',
    '  result:',
    '    type: File',
    `    outputSource: step_${n}/out`,
    'steps:'
  ];
  for (let i = 1; i <= n; i++) {
    lines.push(
      `  step_${i}:`,
      '    run:',
      '      class: CommandLineTool',
      `      label: Step ${i}`,
      '      baseCommand: [cp]',
      '      inputs:',
      '        infile: {type: File, inputBinding: {position: 1}}',
      '        level: {type: int, default: 1}',
      '      arguments: [{valueFrom: out.txt, position: 2}]',
      '      outputs:',
      '        out: {type: File, outputBinding: {glob: out.txt}}',
      '    in:',
      `      infile: ${i === 1 ? 'source' : `step_${i - 1}/out`}`,
      `      level: {default: ${i}}`,
      '    out: [out]'
    );
  }
  if (withLayout) {
    lines.push('dl:layout:', '  nodes:', '    - [input:source, 0, 0]');
    for (let i = 1; i <= n; i++) {
      lines.push(`    - [step_${i}, ${(i % 20) * 260 + 260}, ${Math.floor(i / 20) * 140}]`);
    }
  }
  return lines.join('\n') + '\n';
}
