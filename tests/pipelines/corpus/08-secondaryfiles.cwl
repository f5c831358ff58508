cwlVersion: v1.2
class: Workflow
label: Inputs that carry secondary files (an index next to a table)
inputs:
  tables:
    type: File[]
    secondaryFiles:
      - pattern: .idx
        required: true
outputs:
  reports:
    type: File[]
    outputSource: lookup/out
requirements:
  ScatterFeatureRequirement: {}
steps:
  lookup:
    run: tools/indexed-lookup.cwl
    scatter: table
    in:
      table: tables
    out: [out]
