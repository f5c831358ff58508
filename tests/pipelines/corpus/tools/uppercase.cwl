cwlVersion: v1.2
class: CommandLineTool
label: Upper-case a text file
baseCommand: [tr, "a-z", "A-Z"]
stdin: $(inputs.file.path)
inputs:
  file: File
outputs:
  out:
    type: stdout
stdout: upper.txt
