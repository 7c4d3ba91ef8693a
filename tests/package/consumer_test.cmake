# cmake -P script: install ropelab's "dev" component into WORK_DIR/prefix, configure + build + run the consumer
# project against that prefix only. Any failing step fails the test with its output.
foreach(var ROPELAB_BUILD_DIR CONSUMER_SOURCE_DIR WORK_DIR CMAKE_CXX_COMPILER)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "consumer_test.cmake: -D${var}=... is required")
  endif()
endforeach()
file(REMOVE_RECURSE ${WORK_DIR})

function(step name)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${name} failed (${rc}):\n${out}\n${err}")
  endif()
  message(STATUS "${name}: ok\n${out}")
endfunction()

step("install" ${CMAKE_COMMAND} --install ${ROPELAB_BUILD_DIR} --prefix ${WORK_DIR}/prefix --component dev)
if(NOT EXISTS ${WORK_DIR}/prefix/lib/cmake/ropelab/ropelabConfig.cmake AND
   NOT EXISTS ${WORK_DIR}/prefix/lib64/cmake/ropelab/ropelabConfig.cmake)
  file(GLOB_RECURSE found RELATIVE ${WORK_DIR}/prefix ${WORK_DIR}/prefix/*Config.cmake)
  message(FATAL_ERROR "no ropelabConfig.cmake under lib*/cmake/ropelab of the prefix (found: ${found})")
endif()
step("configure consumer" ${CMAKE_COMMAND} -S ${CONSUMER_SOURCE_DIR} -B ${WORK_DIR}/build
     -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER} -DCMAKE_BUILD_TYPE=Release
     "-DCMAKE_CXX_FLAGS=${CONSUMER_CXX_FLAGS}")
step("build consumer" ${CMAKE_COMMAND} --build ${WORK_DIR}/build)
step("run consumer" ${WORK_DIR}/build/ropelab_consumer)
