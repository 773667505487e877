# Compiler warnings for lambdaport's own targets, in one place.
#
#   lambdaport_warnings(<directory> [CONVERSION])
#
# Adds -Wall -Wextra (and -Wconversion with CONVERSION) to every target that compiles code and is
# defined in <directory> (a subdirectory of the calling folder, skipped when the build did not add it)
# or below it. The options are PRIVATE, so they never reach the targets'
# usage requirements: the installed package config exports no warning flags to its consumers.
# Third-party headers (Boost, nlohmann/json, doctest) come from system include directories, where
# the compiler does not warn.
#
# LAMBDAPORT_WARNINGS_AS_ERRORS turns the warnings into errors (COMPILE_WARNING_AS_ERROR). It is OFF by
# default, so a user's newer compiler with new warnings never breaks their build; scripts/test.sh
# turns it on for the test builds.
#
# Not used by the installed package: only this project's CMakeLists include it.
include_guard(GLOBAL)

option(LAMBDAPORT_WARNINGS_AS_ERRORS "Treat compiler warnings in lambdaport's own code as errors" OFF)

function(lambdaport_warnings directory)
  cmake_parse_arguments(PARSE_ARGV 1 arg "CONVERSION" "" "")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "lambdaport_warnings(${directory}): unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  # A folder the build left out (LAMBDAPORT_BUILD_TESTS=OFF, ...) has no targets to warn about.
  cmake_path(ABSOLUTE_PATH directory BASE_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR} NORMALIZE
    OUTPUT_VARIABLE source_directory)
  get_property(added DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR} PROPERTY SUBDIRECTORIES)
  if(NOT source_directory IN_LIST added)
    return()
  endif()
  # Leaving fields out of a C++20 designated initializer (`{.prefix = "a/"}`) is how our option structs
  # are meant to be used: the rest keep their default member initializers. GCC 12's -Wextra still
  # calls that a missing initializer.
  set(options -Wall -Wextra -Wno-missing-field-initializers)
  if(arg_CONVERSION)
    list(APPEND options -Wconversion)
  endif()
  _lambdaport_warnings_targets(${directory} targets)
  foreach(target IN LISTS targets)
    target_compile_options(${target} PRIVATE $<$<CXX_COMPILER_ID:GNU,Clang,AppleClang>:${options}>)
    if(LAMBDAPORT_WARNINGS_AS_ERRORS)
      set_target_properties(${target} PROPERTIES COMPILE_WARNING_AS_ERROR ON)
    endif()
  endforeach()
endfunction()

# The targets that compile sources in <directory> and its subdirectories, in <out>.
function(_lambdaport_warnings_targets directory out)
  set(result "")
  get_property(targets DIRECTORY ${directory} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(type MATCHES "^(EXECUTABLE|STATIC_LIBRARY|SHARED_LIBRARY|MODULE_LIBRARY|OBJECT_LIBRARY)$")
      list(APPEND result ${target})
    endif()
  endforeach()
  get_property(subdirectories DIRECTORY ${directory} PROPERTY SUBDIRECTORIES)
  foreach(subdirectory IN LISTS subdirectories)
    _lambdaport_warnings_targets(${subdirectory} nested)
    list(APPEND result ${nested})
  endforeach()
  set(${out} ${result} PARENT_SCOPE)
endfunction()
