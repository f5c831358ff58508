#!/usr/bin/env cwl-runner
cwlVersion: v1.2
class: CommandLineTool
$namespaces:
  dl: https://datalabs.dev/cwl#
label: Convert a table (FITS, VOTable, CSV, ECSV)
doc: |
  Reads a table with astropy (FITS binary/ASCII tables, VOTable, CSV, ECSV and the other
  astropy ASCII formats) and writes it in the chosen format, keeping units and descriptions
  where the target format can hold them.
dl:category: Tables
requirements:
  InitialWorkDirRequirement:
    listing:
      - entryname: table_convert.py
        entry:
          $include: table_convert.py
hints:
  DockerRequirement:
    dockerPull: quay.io/jupyter/scipy-notebook:2025-11-10
  ResourceRequirement:
    coresMax: 1
    ramMin: 512
baseCommand: [python3, table_convert.py]
arguments:
  - {prefix: --stem, valueFrom: $(inputs.table.nameroot)}
inputs:
  table:
    type: File
    label: Input table
    inputBinding:
      position: 1
  to:
    type:
      type: enum
      symbols: [csv, ecsv, votable, fits]
    default: csv
    label: Output format
    inputBinding: {prefix: --to}
  source_format:
    type: string?
    label: Input format
    doc: An astropy format name (fits, votable, csv, ascii.ecsv, ascii, ...). Default guessed from the content.
    inputBinding: {prefix: --from}
  hdu:
    type: string?
    label: HDU (FITS input)
    doc: Index or EXTNAME of the table HDU. Default the first table HDU.
    inputBinding: {prefix: --hdu}
outputs:
  converted:
    type: File
    label: Converted table
    outputBinding:
      glob:
        - $(inputs.table.nameroot).csv
        - $(inputs.table.nameroot).ecsv
        - $(inputs.table.nameroot).xml
        - $(inputs.table.nameroot).fits
  log:
    type: stdout
    label: Rows and columns
stdout: $(inputs.table.nameroot).convert.log
