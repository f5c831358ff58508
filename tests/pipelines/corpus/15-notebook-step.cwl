cwlVersion: v1.2
class: Workflow
label: A notebook as a step (papermill), then a script as a step (python)
doc: |
  The form the editor gives to notebooks and Python scripts dragged from the file browser:
  the notebook runs with papermill, parameters passed with -p; the script runs with python3.
requirements:
  InlineJavascriptRequirement: {}
inputs:
  notebook:
    type: File
    default: {class: File, location: data/greet.ipynb}
  body:
    type: string
    default: MOON
  repeat:
    type: int
    default: 2
outputs:
  executed:
    type: File
    outputSource: run_notebook/executed
  lines:
    type: int
    outputSource: count/count
steps:
  run_notebook:
    in:
      notebook: notebook
      body: body
      repeat: repeat
    out: [executed, result]
    run:
      class: CommandLineTool
      requirements:
        InitialWorkDirRequirement:
          listing:
            - $(inputs.notebook)
      hints:
        DockerRequirement:
          dockerPull: quay.io/jupyter/scipy-notebook:2025-11-10
      baseCommand: [papermill, --log-output, --no-progress-bar]
      arguments:
        - $(inputs.notebook.basename)
        - executed.ipynb
        - -p
        - body
        - $(inputs.body)
        - -p
        - repeat
        - $(inputs.repeat)
      inputs:
        notebook: File
        body: string
        repeat: int
      outputs:
        executed:
          type: File
          outputBinding: {glob: executed.ipynb}
        result:
          type: File
          outputBinding: {glob: result.txt}
  count:
    in:
      file: run_notebook/result
    out: [count]
    run: tools/line-count.cwl
