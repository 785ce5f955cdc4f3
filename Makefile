# The tutorials say `make run-server`; every target lives in Makefile.run.
include Makefile.run
