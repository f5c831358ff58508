#!/usr/bin/env cwl-runner
# Print a message to a file (modelled on the CWL user guide's first example).
cwlVersion: v1.2
class: CommandLineTool
label: Echo a message
doc: Writes the message to a text file.
baseCommand: echo
inputs:
  message:
    type: string
    label: Message
    inputBinding:
      position: 1
outputs:
  out:
    type: stdout
    label: The message, as a text file
stdout: message.txt
