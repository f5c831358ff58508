#!/usr/bin/env cwl-runner
cwlVersion: v1.2
class: CommandLineTool
$namespaces:
  dl: https://datalabs.dev/cwl#
  iana: https://www.iana.org/assignments/media-types/
label: FITS image preview (PNG)
doc: |
  Renders a 2-D FITS image (e.g. a cutout) as a PNG with a ZScale or percentile interval and
  a linear, square-root or log stretch; sky axes are drawn when the image has a celestial WCS.
dl:category: Plots
requirements:
  InitialWorkDirRequirement:
    listing:
      - entryname: fits_image_png.py
        entry:
          $include: fits_image_png.py
hints:
  DockerRequirement:
    dockerPull: quay.io/jupyter/scipy-notebook:2025-11-10
  ResourceRequirement:
    coresMax: 1
    ramMin: 512
baseCommand: [python3, fits_image_png.py]
arguments:
  - {prefix: --output, valueFrom: $(inputs.image.nameroot).preview.png}
inputs:
  image:
    type: File
    label: FITS image
    inputBinding:
      position: 1
  hdu:
    type: string?
    label: HDU
    doc: Index or EXTNAME. Default the first HDU holding a 2-D image.
    inputBinding: {prefix: --hdu}
  stretch:
    type:
      type: enum
      symbols: [linear, sqrt, log]
    default: linear
    label: Stretch
    inputBinding: {prefix: --stretch}
  percentile:
    type: float?
    label: Percentile interval
    doc: Keep this central percentage of pixel values (e.g. 99.5). Default ZScale.
    inputBinding: {prefix: --percentile}
  title:
    type: string?
    label: Title
    inputBinding: {prefix: --title}
outputs:
  preview:
    type: File
    label: Preview (PNG)
    format: iana:image/png
    outputBinding:
      glob: $(inputs.image.nameroot).preview.png
  log:
    type: stdout
stdout: $(inputs.image.nameroot).preview.log
