# Precompiled headers for lambdaport's own targets, in one place.
#
#   lambdaport_precompile_headers(<target> <header>...)
#
# The named target gets a PRIVATE precompiled header (never part of its usage requirements, so the
# installed package exports none); skipped for a target the build did not add.
# LAMBDAPORT_PRECOMPILED_HEADERS=OFF builds without them (and shows a file that forgot an #include the
# precompiled header supplied).
#
# Used for the engine only, from what a full build measured (GCC 12, -O2 -g1, CPU seconds from
# .ninja_log, 2 cores): the engine's 41 files share nlohmann/json (~1.7 s of parsing each) and the Asio
# core (~2.5 s): 146 s -> 123 s with one. The test programs (doctest + json) came out slower with
# theirs (storage tests 30 -> 48 s, engine tests 54 -> 71 s: GCC's header is big to build and to load,
# and those files are small), and with one, GCC 12 no longer treats libstdc++'s inlined code as a
# system header's, so its known false positives (-Warray-bounds, -Wstringop-overread on std::string)
# fail the -Werror build. Compiling Asio and Beast separately (BOOST_*_SEPARATE_COMPILATION, one
# source file) was slower too (engine 146 -> 152 s, engine tests 54 -> 68 s) and is not used.
#
# Not used by the installed package: only this project's CMakeLists include it.
include_guard(GLOBAL)

option(LAMBDAPORT_PRECOMPILED_HEADERS "Precompile the heavy common headers of lambdaport's larger targets" ON)

function(lambdaport_precompile_headers target)
  if(LAMBDAPORT_PRECOMPILED_HEADERS AND TARGET ${target})
    target_precompile_headers(${target} PRIVATE ${ARGN})
  endif()
endfunction()
