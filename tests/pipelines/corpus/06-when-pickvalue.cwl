cwlVersion: v1.2
class: Workflow
label: Run one of two steps (when) and take the one that ran (pickValue)
doc: Modelled on the CWL v1.2 conditional workflow examples.
requirements:
  InlineJavascriptRequirement: {}
  MultipleInputFeatureRequirement: {}
inputs:
  value: int
outputs:
  result:
    type: File
    outputSource: [small/out, large/out]
    pickValue: first_non_null
  joined:
    type: File
    outputSource: join/out
steps:
  small:
    run: tools/echo.cwl
    when: $(inputs.value < 10)
    in:
      value: value
      message: {default: small}
    out: [out]
  large:
    run: tools/echo.cwl
    when: $(inputs.value >= 10)
    in:
      value: value
      message: {default: large}
    out: [out]
  join:
    run: tools/cat.cwl
    in:
      files:
        source: [small/out, large/out]
        pickValue: all_non_null
    out: [out]
