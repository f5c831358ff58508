cwlVersion: v1.2
class: Workflow
label: Several sources into one input (linkMerge)
requirements:
  MultipleInputFeatureRequirement: {}
inputs:
  a: File
  b: File
  more: File[]
outputs:
  flattened:
    type: File
    outputSource: join_flat/out
  group_sizes:
    type: int[]
    outputSource: join_nested/sizes
steps:
  join_flat:
    run: tools/cat.cwl
    in:
      files:
        source: [a, more, b]
        linkMerge: merge_flattened
    out: [out]
  join_nested:
    run:
      class: ExpressionTool
      requirements:
        InlineJavascriptRequirement: {}
      inputs:
        groups:
          type:
            type: array
            items:
              type: array
              items: File
      outputs:
        sizes: int[]
      expression: |
        ${ return {"sizes": inputs.groups.map(function (g) { return g.length; })}; }
    in:
      groups:
        source: [more, more]
        linkMerge: merge_nested
    out: [sizes]
