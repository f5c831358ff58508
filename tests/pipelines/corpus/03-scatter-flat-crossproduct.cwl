cwlVersion: v1.2
class: Workflow
label: Every greeting for every name (flat_crossproduct), then count the lines
requirements:
  - class: ScatterFeatureRequirement
  - class: StepInputExpressionRequirement
  - class: InlineJavascriptRequirement
inputs:
  greetings:
    type:
      type: array
      items: string
  names:
    type:
      type: array
      items: string
outputs:
  messages:
    type: File[]
    outputSource: greet/out
  total_lines:
    type: int
    outputSource: count/count
steps:
  greet:
    run: tools/echo.cwl
    scatter:
      - greeting
      - name
    scatterMethod: flat_crossproduct
    in:
      greeting: greetings
      name: names
      message:
        valueFrom: $(inputs.greeting) $(inputs.name)
    out: [out]
  join:
    run: tools/cat.cwl
    in:
      files: greet/out
    out: [out]
  count:
    run: tools/line-count.cwl
    in:
      file: join/out
    out: [count]
