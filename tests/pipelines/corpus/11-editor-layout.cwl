# A workflow as the Datalabs pipeline editor saves it: node positions live in a
# namespaced workflow-level hint (dl:Layout), so the .cwl file is the whole document.
cwlVersion: v1.2
class: Workflow
$namespaces:
  dl: https://datalabs.dev/cwl#
label: Editor layout hint
hints:
  - class: dl:Layout
    nodes:
      make:
        x: 120
        y: 80
      shout:
        x: 360.5
        y: 80
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
