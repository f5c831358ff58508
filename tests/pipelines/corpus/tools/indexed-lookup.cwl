cwlVersion: v1.2
class: CommandLineTool
label: Print an indexed table and its index
doc: |
  Needs the table's index next to it (a secondary file with the suffix .idx)
  and writes the lines of both.
baseCommand: cat
arguments:
  - $(inputs.table.path)
  - $(inputs.table.secondaryFiles[0].path)
inputs:
  table:
    type: File
    secondaryFiles:
      - pattern: .idx
        required: true
outputs:
  out:
    type: stdout
stdout: lookup.txt
