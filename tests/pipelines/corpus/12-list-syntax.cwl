cwlVersion: v1.2
class: Workflow
id: list_syntax
label: The list forms of inputs, outputs, steps, in and out
doc: The same kind of workflow as 03, written with lists and explicit ids.
requirements:
  - class: InlineJavascriptRequirement
inputs:
  - id: text
    type: File
    doc: Any text file.
  - id: extra
    type: File?
outputs:
  - id: lines
    type: int
    outputSource: count/count
  - id: upper
    type: File
    outputSource: "#list_syntax/upcase/out"
steps:
  - id: upcase
    run: tools/uppercase.cwl
    in:
      - id: file
        source: text
    out:
      - id: out
  - id: count
    run: tools/line-count.cwl
    in:
      - id: file
        source: upcase/out
    out:
      - count
