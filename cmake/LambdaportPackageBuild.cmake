# Builds one Lambda package (see LambdaportPackage.cmake); run by the build as
#   cmake -DEXECUTABLE=… -DNAME=… -DMODE=bundled|static -DDIRECTORY=… -DZIP=… [-DSTRIP=…] -P this
cmake_minimum_required(VERSION 3.25)

foreach(required IN ITEMS EXECUTABLE NAME MODE DIRECTORY ZIP)
  if(NOT DEFINED ${required} OR "${${required}}" STREQUAL "")
    message(FATAL_ERROR "LambdaportPackageBuild: -D${required}=… is required")
  endif()
endforeach()

# The shared libraries the executable loads, as the host's loader would find them: a dependency
# that cannot be found stops the package (it would not start on Lambda either).
file(GET_RUNTIME_DEPENDENCIES
  EXECUTABLES ${EXECUTABLE}
  RESOLVED_DEPENDENCIES_VAR libraries
  UNRESOLVED_DEPENDENCIES_VAR unresolved)
if(unresolved)
  message(FATAL_ERROR "lambdaport_package(${NAME}): ${EXECUTABLE} needs libraries the build machine does not have: ${unresolved}")
endif()

file(REMOVE_RECURSE ${DIRECTORY})
file(MAKE_DIRECTORY ${DIRECTORY})

# A copy of `from` at `to`, stripped of debug information when a strip program is known.
function(copy_program from to)
  if(STRIP)
    execute_process(COMMAND ${STRIP} --strip-debug -o ${to} ${from} RESULT_VARIABLE failed)
    if(failed)
      message(FATAL_ERROR "lambdaport_package(${NAME}): ${STRIP} failed on ${from}")
    endif()
  else()
    file(COPY_FILE ${from} ${to})
  endif()
  file(CHMOD ${to} PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                               WORLD_READ WORLD_EXECUTE)
endfunction()

if(MODE STREQUAL "static")
  if(libraries)
    list(JOIN libraries ", " names)
    message(FATAL_ERROR "lambdaport_package(${NAME} STATIC): the executable still loads ${names}; "
                        "a static package needs every library as a static archive (Debian's libcurl "
                        "has none of its own dependencies' archives): package it without STATIC")
  endif()
  copy_program(${EXECUTABLE} ${DIRECTORY}/bootstrap)
  set(entries bootstrap)
elseif(MODE STREQUAL "bundled")
  file(MAKE_DIRECTORY ${DIRECTORY}/bin ${DIRECTORY}/lib)
  copy_program(${EXECUTABLE} ${DIRECTORY}/bin/${NAME})
  set(loader "")
  foreach(library IN LISTS libraries)
    cmake_path(GET library FILENAME soname)
    file(REAL_PATH ${library} file)
    file(COPY_FILE ${file} ${DIRECTORY}/lib/${soname})
    if(soname MATCHES "^ld-linux.*\\.so\\.[0-9]+$")
      set(loader ${soname})
    endif()
  endforeach()
  if(loader STREQUAL "")
    message(FATAL_ERROR "lambdaport_package(${NAME}): found no glibc loader (ld-linux*.so) among "
                        "the libraries of ${EXECUTABLE}: is it a dynamically linked glibc executable?")
  endif()
  # Lambda starts <task root>/bootstrap; lambdaport starts it where the package was unpacked. PATH
  # may be unset, so the folder comes from $0 alone.
  file(WRITE ${DIRECTORY}/bootstrap
"#!/bin/sh
# Lambda package of ${NAME}: bin/${NAME} and the shared libraries it was built with (lib/, glibc
# included), started through their own loader so that none of the host's libraries is loaded.
case $0 in */*) root=\${0%/*} ;; *) root=. ;; esac
exec \"$root/lib/${loader}\" --library-path \"$root/lib\" \"$root/bin/${NAME}\" \"$@\"
")
  file(CHMOD ${DIRECTORY}/bootstrap PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
                                                GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  # Files only, sorted: the zip's order does not depend on a folder's listing.
  file(GLOB bundled RELATIVE ${DIRECTORY} ${DIRECTORY}/lib/*)
  list(SORT bundled)
  set(entries bootstrap bin/${NAME} ${bundled})
else()
  message(FATAL_ERROR "LambdaportPackageBuild: MODE is bundled or static, not '${MODE}'")
endif()

# The zip: entries in a fixed order, with a fixed modification time (libarchive still records the
# files' access and change times, so two packagings differ in those bytes).
file(REMOVE ${ZIP})
execute_process(COMMAND ${CMAKE_COMMAND} -E tar cf ${ZIP} --format=zip "--mtime=2000-01-01 00:00:00 UTC"
                        -- ${entries}
                WORKING_DIRECTORY ${DIRECTORY}
                RESULT_VARIABLE failed)
if(failed)
  message(FATAL_ERROR "lambdaport_package(${NAME}): could not write ${ZIP}")
endif()
