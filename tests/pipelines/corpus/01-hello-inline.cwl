#!/usr/bin/env cwl-runner
# The smallest workflow: one step whose tool is written inline.
# Comments like this one should survive a round trip where possible.
cwlVersion: v1.2
class: Workflow
label: Hello
doc: Writes a greeting to a file.

inputs:
  who:
    type: string
    default: world   # used when the job file leaves it out
    label: Who to greet

outputs:
  greeting:
    type: File
    outputSource: say/out

steps:
  say:
    run:
      class: CommandLineTool
      baseCommand: echo
      arguments: [Hello]
      inputs:
        name:
          type: string
          inputBinding: {position: 1}
      outputs:
        out: stdout
      stdout: hello.txt
    in:
      name: who
    out: [out]
