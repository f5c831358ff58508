cwlVersion: v1.2
class: Workflow
label: Step inputs computed with valueFrom
requirements:
  StepInputExpressionRequirement: {}
  InlineJavascriptRequirement: {}
inputs:
  first_name: string
  last_name:
    type: string?
    default: Lovelace
  shout: boolean?
outputs:
  letter:
    type: File
    outputSource: write/out
steps:
  write:
    run: tools/echo.cwl
    in:
      first_name: first_name
      last_name: last_name
      shout:
        source: shout
        default: false
      message:
        valueFrom: |
          ${
            var text = "Dear " + inputs.first_name + " " + inputs.last_name;
            return inputs.shout ? text.toUpperCase() : text;
          }
    out: [out]
