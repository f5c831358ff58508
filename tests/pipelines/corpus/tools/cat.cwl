cwlVersion: v1.2
class: CommandLineTool
label: Concatenate files
baseCommand: cat
inputs:
  files:
    type: File[]
    inputBinding:
      position: 1
outputs:
  out:
    type: stdout
stdout: concatenated.txt
