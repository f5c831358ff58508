cwlVersion: v1.2
class: CommandLineTool
label: Count lines
requirements:
  InlineJavascriptRequirement: {}
baseCommand: [wc, -l]
stdin: $(inputs.file.path)
inputs:
  file:
    type: File
outputs:
  count:
    type: int
    outputBinding:
      glob: count.txt
      loadContents: true
      outputEval: $(parseInt(self[0].contents))
stdout: count.txt
