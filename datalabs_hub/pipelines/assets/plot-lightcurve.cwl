#!/usr/bin/env cwl-runner
cwlVersion: v1.2
class: CommandLineTool
$namespaces:
  dl: https://datalabs.dev/cwl#
  iana: https://www.iana.org/assignments/media-types/
label: Plot a light curve
doc: |
  Draws a light curve (value against time) from a FITS table, e.g. an INTEGRAL JEM-X
  time series, a Solar Orbiter STIX quick-look light curve or a PROBA2/LYRA irradiance file.
  The columns are found by name unless given; error bars are drawn when there is an error column.
dl:category: Plots
requirements:
  InitialWorkDirRequirement:
    listing:
      - entryname: plot_lightcurve.py
        entry:
          $include: plot_lightcurve.py
hints:
  DockerRequirement:
    dockerPull: quay.io/jupyter/scipy-notebook:2025-11-10
  ResourceRequirement:
    coresMax: 1
    ramMin: 512
baseCommand: [python3, plot_lightcurve.py]
arguments:
  - {prefix: --output, valueFrom: $(inputs.lightcurve.nameroot).lightcurve.png}
inputs:
  lightcurve:
    type: File
    label: Light curve (FITS table)
    inputBinding:
      position: 1
  hdu:
    type: string?
    label: HDU
    doc: Index or EXTNAME of the table. Default the first table with a TIME column.
    inputBinding: {prefix: --hdu}
  time_column:
    type: string?
    label: Time column
    inputBinding: {prefix: --time-column}
  value_column:
    type: string?
    label: Value column
    inputBinding: {prefix: --value-column}
  error_column:
    type: string?
    label: Error column
    inputBinding: {prefix: --error-column}
  title:
    type: string?
    label: Title
    doc: Default from the TELESCOP, INSTRUME and OBJECT keywords.
    inputBinding: {prefix: --title}
outputs:
  plot:
    type: File
    label: Plot (PNG)
    format: iana:image/png
    outputBinding:
      glob: $(inputs.lightcurve.nameroot).lightcurve.png
  log:
    type: stdout
stdout: $(inputs.lightcurve.nameroot).lightcurve.log
