#!/usr/bin/python3
"""tests/awssim with CloudTrail's LookupEvents rate limit (2/s) lifted, for
the benchmark's back-to-back cycles (the cycle driver lifts the plugin's
own limit with SW_BENCH_NO_RATELIMIT=1). Same command line as awssim."""
import os
import runpy
import sys

HERE = os.path.dirname(os.path.realpath(__file__))
AWSSIM = os.path.join(HERE, "..", "awssim")
sys.path.insert(0, AWSSIM)
sys.dont_write_bytecode = True

try:
    import svc_cloudtrail  # the server imports the same module object later
except ImportError:
    sys.stderr.write("awssim_unlimited: cannot import the simulator\n")
    sys.exit(77)
svc_cloudtrail.LOOKUP_RATE = 1e9
svc_cloudtrail.LOOKUP_BURST = 1e9
sys.argv[0] = os.path.join(AWSSIM, "awssim")
runpy.run_path(sys.argv[0], run_name="__main__")
