cwlVersion: v1.2
class: Workflow
label: Scatter over two arrays in step (dotproduct)
requirements:
  ScatterFeatureRequirement: {}
  StepInputExpressionRequirement: {}
  InlineJavascriptRequirement: {}
inputs:
  greetings: string[]
  names: string[]
outputs:
  messages:
    type: File[]
    outputSource: greet/out
steps:
  greet:
    run: tools/echo.cwl
    scatter: [greeting, name]
    scatterMethod: dotproduct
    in:
      greeting: greetings
      name: names
      message:
        valueFrom: $(inputs.greeting + ", " + inputs.name)
    out: [out]
