#!/usr/bin/env cwl-runner
cwlVersion: v1.2
class: CommandLineTool
$namespaces:
  dl: https://datalabs.dev/cwl#
  iana: https://www.iana.org/assignments/media-types/
label: Body position from SPICE kernels
doc: |
  Computes where a body (target) is seen from an observer at the given UTC times, from the
  kernels a SPICE metakernel lists (in a datalab: /data/spice-kernels/mk/demo.tm, which covers
  the planets 1899-2053, the Moon and the Galilean moons around 2015). Writes a CSV table:
  utc, et, x_km, y_km, z_km, distance_km, distance_au, light_time_s.
dl:category: SPICE
requirements:
  InitialWorkDirRequirement:
    listing:
      - entryname: spice_position.py
        entry:
          $include: spice_position.py
hints:
  DockerRequirement:
    dockerPull: quay.io/jupyter/scipy-notebook:2025-11-10
  ResourceRequirement:
    coresMax: 1
    ramMin: 256
baseCommand: [python3, spice_position.py]
inputs:
  metakernel:
    type: File
    label: SPICE metakernel
    doc: A metakernel (.tm) whose PATH_VALUES are absolute, e.g. /data/spice-kernels/mk/demo.tm.
    inputBinding: {prefix: --metakernel}
  target:
    type: string
    label: Target body
    doc: A SPICE body name or id, e.g. MOON, MARS BARYCENTER, JUPITER BARYCENTER, SUN, IO.
    inputBinding: {prefix: --target}
  observer:
    type: string
    default: EARTH
    label: Observer
    inputBinding: {prefix: --observer}
  times:
    type:
      type: array
      items: string
      inputBinding: {prefix: --time}
    label: UTC times
    doc: Times in any form SPICE accepts, e.g. 2020-01-01T00:00:00.
  frame:
    type: string
    default: J2000
    label: Reference frame
    inputBinding: {prefix: --frame}
  abcorr:
    type:
      type: enum
      symbols: [NONE, LT, LT+S, CN, CN+S]
    default: NONE
    label: Aberration correction
    inputBinding: {prefix: --abcorr}
outputs:
  positions:
    type: File
    label: Positions (CSV)
    format: iana:text/csv
    outputBinding:
      glob: positions.csv
