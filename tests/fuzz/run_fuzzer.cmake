# One fuzz test (tests/fuzz/CMakeLists.txt): replays every saved reproducer, then fuzzes a copy of
# the seed corpus (the source tree is never written) for SECONDS. Fails on any finding; prints
# how many inputs the target ran.
#   -DFUZZER= -DNAME= -DCORPUS= -DREGRESSIONS= -DWORK= -DSECONDS= [-DARGS=flag;flag]

set(flags -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 ${ARGS})
file(MAKE_DIRECTORY ${WORK}/corpus ${WORK}/artifacts)

file(GLOB reproducers LIST_DIRECTORIES false ${REGRESSIONS}/*)
if(reproducers)
  list(LENGTH reproducers count)
  message("fuzz ${NAME}: replaying ${count} reproducer(s) from ${REGRESSIONS}")
  execute_process(COMMAND ${FUZZER} ${flags} -artifact_prefix=${WORK}/artifacts/ ${reproducers}
    RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "fuzz ${NAME}: a saved reproducer still fails (exit ${status})")
  endif()
endif()

file(COPY ${CORPUS}/ DESTINATION ${WORK}/corpus)
execute_process(
  COMMAND ${FUZZER} ${flags} -max_total_time=${SECONDS} -artifact_prefix=${WORK}/artifacts/
    ${WORK}/corpus
  RESULT_VARIABLE status
  ERROR_VARIABLE log)
string(REGEX MATCH "Done [0-9]+ runs in [0-9]+ second" done "${log}")
if(NOT status EQUAL 0)
  message("${log}")
  message(FATAL_ERROR "fuzz ${NAME}: finding (exit ${status}); the input is in ${WORK}/artifacts/")
endif()
string(REGEX MATCH "stat::number_of_executed_units: *[0-9]+" units "${log}")
message("fuzz ${NAME}: ${done}(s), no finding [${units}]")
