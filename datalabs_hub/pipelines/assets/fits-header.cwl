#!/usr/bin/env cwl-runner
cwlVersion: v1.2
class: CommandLineTool
$namespaces:
  dl: https://datalabs.dev/cwl#
  iana: https://www.iana.org/assignments/media-types/
label: Read a FITS header
doc: |
  Reads the header of one HDU of a FITS file: all keywords as JSON, the cards as text,
  and optionally the value of one keyword (e.g. DATE-OBS) as a string for later steps.
dl:category: FITS
requirements:
  InitialWorkDirRequirement:
    listing:
      - entryname: fits_header.py
        entry:
          $include: fits_header.py
hints:
  DockerRequirement:
    dockerPull: quay.io/jupyter/scipy-notebook:2025-11-10
  ResourceRequirement:
    coresMax: 1
    ramMin: 256
baseCommand: [python3, fits_header.py]
arguments:
  - {prefix: --stem, valueFrom: $(inputs.fits.nameroot).header}
inputs:
  fits:
    type: File
    label: FITS file
    inputBinding:
      position: 1
  hdu:
    type: string?
    label: HDU
    doc: HDU index (0 is the primary HDU) or its EXTNAME. Default 0.
    inputBinding:
      prefix: --hdu
  keyword:
    type: string?
    label: Keyword
    doc: A keyword whose value becomes the `value` output (the step fails if the HDU lacks it).
    inputBinding:
      prefix: --keyword
outputs:
  header:
    type: File
    label: Header as JSON
    format: iana:application/json
    outputBinding:
      glob: $(inputs.fits.nameroot).header.json
  cards:
    type: File
    label: Header cards as text
    format: iana:text/plain
    outputBinding:
      glob: $(inputs.fits.nameroot).header.txt
  value:
    type: string
    label: Keyword value
    doc: The value of `keyword` as text; empty when no keyword is given.
    outputBinding:
      glob: value.txt
      loadContents: true
      outputEval: $(self[0].contents)
