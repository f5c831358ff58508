# A workflow as the Datalabs pipeline editor saves it: node positions live in a
# namespaced extension field (dl:layout: node id, x, y), which CWL tools ignore,
# so the .cwl file is the whole document and means the same to every CWL tool.
cwlVersion: v1.2
class: Workflow
$namespaces:
  dl: https://datalabs.dev/cwl#
label: Editor layout
inputs:
  message:
    type: string
    default: hello
outputs:
  result:
    type: File
    outputSource: shout/out
steps:
  make:
    run: tools/echo.cwl
    in:
      message: message
    out: [out]
  shout:
    run: tools/uppercase.cwl
    in:
      file: make/out
    out: [out]
dl:layout:
  nodes:
    - [input:message, -140, 80]
    - [make, 120, 80]
    - [shout, 360.5, 80]
    - [output:result, 600, 80]
