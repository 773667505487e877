# lambdaport_package(): a handler executable as an AWS Lambda deployment package for the
# `provided.al2023` (or `provided.al2`) custom runtime, `bootstrap` at the zip's root.
#
#   lambdaport_package(<target> [STATIC] [OUTPUT <file.zip>] [DIRECTORY <dir>] [NO_STRIP])
#
# The build machine's libraries are not Amazon Linux's (Debian 12 has glibc 2.36 and GCC 12's
# libstdc++; Amazon Linux 2023 has glibc 2.34 and GCC 11's), so a package must carry what it runs on:
#
#   default  bundled: the executable in bin/, every shared library it loads in lib/ — glibc and its
#            loader included — and a `bootstrap` script that starts bin/<target> through the bundled
#            loader with --library-path lib/. Works for any handler, libcurl and OpenSSL included.
#   STATIC   the executable linked with -static is `bootstrap` itself; nothing else in the zip. Only for
#            handlers whose libraries all exist as static archives (the plain SDK: no libcurl);
#            this call adds -static to <target>'s link options.
#
# Builds, as part of `all`: <dir> (default <target>.package/ beside the target) holding exactly what
# the zip holds, and the zip (default <target>.zip). The executable's copy is stripped unless
# NO_STRIP. `lambdaport serve` runs either: a config's "handler" may name <dir>/bootstrap, and a SAM
# template's CodeUri may name <dir> or the zip.
include_guard(GLOBAL)

function(lambdaport_package target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "STATIC;NO_STRIP" "OUTPUT;DIRECTORY" "")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "lambdaport_package(${target}): unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT TARGET ${target})
    message(FATAL_ERROR "lambdaport_package(${target}): no such target")
  endif()
  get_target_property(type ${target} TYPE)
  if(NOT type STREQUAL "EXECUTABLE")
    message(FATAL_ERROR "lambdaport_package(${target}): a package holds an executable, and ${target} is a ${type}")
  endif()
  if(NOT CMAKE_SYSTEM_NAME STREQUAL "Linux")
    message(FATAL_ERROR "lambdaport_package(${target}): Lambda packages are built on Linux")
  endif()

  set(zip ${CMAKE_CURRENT_BINARY_DIR}/${target}.zip)
  if(arg_OUTPUT)
    cmake_path(ABSOLUTE_PATH arg_OUTPUT BASE_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR} OUTPUT_VARIABLE zip)
  endif()
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/${target}.package)
  if(arg_DIRECTORY)
    cmake_path(ABSOLUTE_PATH arg_DIRECTORY BASE_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR} OUTPUT_VARIABLE dir)
  endif()

  # Beside this file, wherever the function is called from.
  set(script ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/LambdaportPackageBuild.cmake)
  set(mode bundled)
  if(arg_STATIC)
    set(mode static)
    target_link_options(${target} PRIVATE -static)
  endif()
  set(strip "")
  if(NOT arg_NO_STRIP AND CMAKE_STRIP)
    set(strip ${CMAKE_STRIP})
  endif()

  add_custom_command(OUTPUT ${zip}
    COMMAND ${CMAKE_COMMAND}
            -DEXECUTABLE=$<TARGET_FILE:${target}>
            -DNAME=${target}
            -DMODE=${mode}
            -DDIRECTORY=${dir}
            -DZIP=${zip}
            -DSTRIP=${strip}
            -P ${script}
    DEPENDS ${target} ${script}
    COMMENT "Packaging ${target} for AWS Lambda (${mode}): ${zip}"
    VERBATIM)
  add_custom_target(${target}_package ALL DEPENDS ${zip})
endfunction()
