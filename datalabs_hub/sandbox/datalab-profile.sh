# Datalabs: login shells in a datalab (JupyterLab's terminals start one) keep the datalab's PATH.
# /etc/profile has just reset PATH to the system's default; the hub hands the datalab its PATH
# (the datalab's software environment first, then the system's folders) also as DATALABS_PATH.
# Bound read-only into every datalab as /etc/profile.d/zz-datalabs.sh (last, so it has the final say).
if [ -n "${DATALABS_PATH:-}" ]; then
  PATH=$DATALABS_PATH
  export PATH
fi
