cwlVersion: v1.2
class: Workflow
label: An ExpressionTool step, File defaults relative to the document, loadContents
requirements:
  InlineJavascriptRequirement: {}
  StepInputExpressionRequirement: {}
inputs:
  table:
    type: File
    default:
      class: File
      location: data/table.csv
    loadContents: true
outputs:
  rows:
    type: int
    outputSource: summarise/rows
  columns:
    type: string[]
    outputSource: summarise/columns
steps:
  summarise:
    run:
      class: ExpressionTool
      inputs:
        text: string
      outputs:
        rows: int
        columns: string[]
      expression: |
        ${
          var lines = inputs.text.trim().split("\n");
          return {"rows": lines.length - 1, "columns": lines[0].split(",")};
        }
    in:
      text:
        source: table
        valueFrom: $(self.contents)
    out: [rows, columns]
