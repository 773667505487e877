#!/bin/sh
# A bootstrap that starts the real runtime as its grandchild (a subshell, then the runtime; no exec),
# as some wrapper scripts do: the Runtime API client is a descendant of the instance's process,
# not that process. Used by test_isolation.py.
here=$(dirname "$0")
( "$here/process_probe.py"; status=$?; exit $status )
status=$?
exit $status
