cwlVersion: v1.2
class: Workflow
label: Scatter a subworkflow over the files of a Directory
requirements:
  SubworkflowFeatureRequirement: {}
  ScatterFeatureRequirement: {}
  InlineJavascriptRequirement: {}
  StepInputExpressionRequirement: {}
inputs:
  folder:
    type: Directory
    loadListing: shallow_listing
  suffix:
    type: string
    default: .txt
outputs:
  counts:
    type: int[]
    outputSource: per_file/lines
steps:
  pick:
    in:
      folder: folder
      suffix: suffix
    out: [files]
    run:
      class: ExpressionTool
      inputs:
        folder: Directory
        suffix: string
      outputs:
        files: File[]
      expression: |
        ${
          var files = inputs.folder.listing.filter(function (f) {
            return f.class == "File" && f.basename.endsWith(inputs.suffix);
          });
          files.sort(function (a, b) { return a.basename < b.basename ? -1 : 1; });
          return {"files": files};
        }
  per_file:
    scatter: file
    in:
      file: pick/files
    out: [lines]
    run:
      class: Workflow
      inputs:
        file: File
      outputs:
        lines:
          type: int
          outputSource: count/count
      steps:
        count:
          run: tools/line-count.cwl
          in:
            file: file
          out: [count]
