cwlVersion: v1.2
class: Workflow
label: A workflow inside a workflow
doc: |
  The inner workflow is written inline; its own steps refer to tool files.
  Modelled on the user guide's "Nested workflows" chapter.
requirements:
  SubworkflowFeatureRequirement: {}
inputs:
  text: File
outputs:
  shouted:
    type: File
    outputSource: shout/upper
  lines:
    type: int
    outputSource: shout/lines
steps:
  shout:
    run:
      class: Workflow
      inputs:
        file: File
      outputs:
        upper:
          type: File
          outputSource: upcase/out
        lines:
          type: int
          outputSource: count/count
      steps:
        upcase:
          run: tools/uppercase.cwl
          in: {file: file}
          out: [out]
        count:
          run: tools/line-count.cwl
          in: {file: upcase/out}
          out: [count]
    in:
      file: text
    out: [upper, lines]
