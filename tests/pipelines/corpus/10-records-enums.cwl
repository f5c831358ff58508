cwlVersion: v1.2
class: Workflow
label: Record and enum inputs, arrays and optional types
requirements:
  InlineJavascriptRequirement: {}
  StepInputExpressionRequirement: {}
  SchemaDefRequirement:
    types:
      - name: Target
        type: record
        fields:
          - name: body
            type: string
          - name: magnitude
            type: float?
      - name: Units
        type: enum
        symbols: [km, au]
inputs:
  target: Target
  units:
    type: Units
    default: km
  tags:
    type: string[]?
  repeat:
    type: int
    default: 1
  verbose:
    type: boolean
    default: false
outputs:
  summary:
    type: File
    outputSource: describe/out
steps:
  describe:
    run: tools/echo.cwl
    in:
      target: target
      units: units
      tags: tags
      repeat: repeat
      message:
        valueFrom: >-
          $(inputs.target.body + " in " + inputs.units +
          " x" + inputs.repeat + " " + (inputs.tags || []).join(","))
    out: [out]
