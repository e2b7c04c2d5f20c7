# Session history and stats: round trip, broken lines, 8 concurrent writers,
# SIGKILL mid-append, the stats chart and CSV (forks; about a second).
calfpace_test(test_history)
