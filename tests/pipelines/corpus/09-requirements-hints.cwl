#!/usr/bin/env cwl-runner
# Requirements and hints at workflow, step and tool level, and fields in
# other namespaces (schema.org metadata, EDAM formats) that a runner must keep.
cwlVersion: v1.2
class: Workflow
$namespaces:
  s: https://schema.org/
  edam: http://edamontology.org/
s:author:
  - class: s:Person
    s:name: Ada Lovelace
    s:email: mailto:ada@example.org
s:license: https://spdx.org/licenses/BSD-3-Clause
label: Requirements and hints
requirements:
  ResourceRequirement:
    coresMin: 1
    ramMin: 256
hints:
  DockerRequirement:
    dockerPull: debian:12-slim
  NetworkAccess:
    networkAccess: false
inputs:
  text:
    type: File
    format: edam:format_2330   # plain text
outputs:
  upper:
    type: File
    outputSource: upcase/out
steps:
  upcase:
    requirements:
      EnvVarRequirement:
        envDef:
          LC_ALL: C
    hints:
      ResourceRequirement:
        ramMin: 128
    run:
      class: CommandLineTool
      hints:
        WorkReuse:
          enableReuse: true
      baseCommand: [tr, "a-z", "A-Z"]
      stdin: $(inputs.file.path)
      inputs:
        file:
          type: File
          format: edam:format_2330
      outputs:
        out:
          type: stdout
          format: edam:format_2330
      stdout: upper.txt
    in:
      file: text
    out: [out]
