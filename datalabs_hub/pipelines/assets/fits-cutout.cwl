#!/usr/bin/env cwl-runner
cwlVersion: v1.2
class: CommandLineTool
$namespaces:
  dl: https://datalabs.dev/cwl#
  iana: https://www.iana.org/assignments/media-types/
label: FITS image cutout
doc: |
  Cuts a square out of a 2-D FITS image, centred on a pixel (1-based, as in DS9) or a sky
  position (degrees; needs a celestial WCS). The cutout keeps the header and a WCS shifted to it.
  Without a centre, the middle of the image is used.
dl:category: FITS
requirements:
  InitialWorkDirRequirement:
    listing:
      - entryname: fits_cutout.py
        entry:
          $include: fits_cutout.py
hints:
  DockerRequirement:
    dockerPull: quay.io/jupyter/scipy-notebook:2025-11-10
  ResourceRequirement:
    coresMax: 1
    ramMin: 512
baseCommand: [python3, fits_cutout.py]
arguments:
  - {prefix: --output, valueFrom: $(inputs.image.nameroot).cutout.fits}
inputs:
  image:
    type: File
    label: FITS image
    inputBinding:
      position: 1
  hdu:
    type: string?
    label: HDU
    doc: HDU index or EXTNAME. Default the first HDU holding a 2-D image.
    inputBinding: {prefix: --hdu}
  x:
    type: float?
    label: Centre column (pixel)
    inputBinding: {prefix: --x}
  y:
    type: float?
    label: Centre row (pixel)
    inputBinding: {prefix: --y}
  ra:
    type: float?
    label: Centre RA (deg)
    inputBinding: {prefix: --ra}
  dec:
    type: float?
    label: Centre Dec (deg)
    inputBinding: {prefix: --dec}
  size:
    type: int
    default: 64
    label: Size (pixels)
    doc: Width and height of the cutout; trimmed at the image edges.
    inputBinding: {prefix: --size}
outputs:
  cutout:
    type: File
    label: Cutout (FITS)
    format: iana:image/fits
    outputBinding:
      glob: $(inputs.image.nameroot).cutout.fits
  log:
    type: stdout
    label: What was cut
stdout: $(inputs.image.nameroot).cutout.log
