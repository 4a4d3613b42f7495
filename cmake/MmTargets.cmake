# Target helpers shared by every component (see docs/ARCHITECTURE.md).
#
#   mm_cc_library(NAME x SRCS a.cc b.cc DEPS dep1 dep2 [PUBLIC_DEPS ...])
#   mm_cc_binary(NAME x SRCS main.cc DEPS x_lib)
#   mm_cc_test(NAME x SRCS t.cc DEPS x_lib [DB] [ONE_PROCESS] [LABELS ...] [TIMEOUT s])
#   mm_fuzz(NAME x SRCS f.cc DEPS x_lib CORPUS dir)
include(CMakeParseArguments)

function(mm_cc_library)
  cmake_parse_arguments(A "" "NAME" "SRCS;DEPS;PUBLIC_DEPS" ${ARGN})
  add_library(${A_NAME} STATIC ${A_SRCS})
  target_include_directories(${A_NAME} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  target_link_libraries(${A_NAME} PUBLIC ${A_PUBLIC_DEPS} PRIVATE ${A_DEPS})
endfunction()

function(mm_cc_binary)
  cmake_parse_arguments(A "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${A_NAME} ${A_SRCS})
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS})
endfunction()

# DB tests get the throwaway PostgreSQL cluster of the ctest run (fixture "pg", see
# tests/CMakeLists.txt) and copy the migrated template database "mm_template". Paths to
# binaries, sources and the cluster are compiled into mm_testing (tests/testing/test_env.cc).
# ONE_PROCESS registers the binary as one ctest test (all its cases in one process) instead of
# one test per case: for binaries whose cases share an expensive resource started once per
# process (a RabbitMQ broker in a gtest Environment).
function(mm_cc_test)
  cmake_parse_arguments(A "DB;ONE_PROCESS" "NAME;TIMEOUT;LABEL" "SRCS;DEPS" ${ARGN})
  add_executable(${A_NAME} ${A_SRCS})
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS} mm_testing GTest::gtest GTest::gmock GTest::gtest_main)
  if(NOT A_TIMEOUT)
    set(A_TIMEOUT 300)
  endif()
  # gtest_discover_tests flattens list values, so every property here is single-valued.
  set(props TIMEOUT ${A_TIMEOUT})
  if(A_DB)
    list(APPEND props FIXTURES_REQUIRED pg)
  endif()
  if(A_LABEL)
    list(APPEND props LABELS ${A_LABEL})
  endif()
  if(A_ONE_PROCESS)
    add_test(NAME ${A_NAME} COMMAND ${A_NAME})
    set_tests_properties(${A_NAME} PROPERTIES ${props})
  else()
    gtest_discover_tests(${A_NAME} DISCOVERY_TIMEOUT 60 PROPERTIES ${props})
  endif()
endfunction()

# A libFuzzer target. With clang and -DMM_FUZZ=ON it links -fsanitize=fuzzer; otherwise it links a
# small replay driver (tests/fuzz/replay_main.cc) and ctest replays the seed corpus plus a bounded
# number of mutated inputs, so every parser's fuzz entry point runs in the normal test suite.
function(mm_fuzz)
  cmake_parse_arguments(A "" "NAME;CORPUS" "SRCS;DEPS" ${ARGN})
  add_executable(${A_NAME} ${A_SRCS})
  target_include_directories(${A_NAME} PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS})
  if(MM_FUZZ)
    target_compile_options(${A_NAME} PRIVATE -fsanitize=fuzzer,address)
    target_link_options(${A_NAME} PRIVATE -fsanitize=fuzzer,address)
    # tools/fuzz seeds each run from the target's corpus directory.
    file(WRITE ${PROJECT_BINARY_DIR}/fuzz_corpus/${A_NAME} "${A_CORPUS}")
  else()
    target_link_libraries(${A_NAME} PRIVATE mm_fuzz_replay)
    add_test(NAME fuzz_replay.${A_NAME}
             COMMAND ${A_NAME} --mutations=2000 ${A_CORPUS})
    set_tests_properties(fuzz_replay.${A_NAME} PROPERTIES LABELS fuzz TIMEOUT 120)
  endif()
endfunction()

# Embeds text files into a generated .cc as an array of {name, contents}.
#   mm_embed_files(OUT_VAR NAMESPACE ns SYMBOL kFiles FILES a.sql b.sql)
function(mm_embed_files out_var)
  cmake_parse_arguments(A "" "NAMESPACE;SYMBOL" "FILES" ${ARGN})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${A_SYMBOL}_embedded.cc)
  string(REPLACE ";" "|" files_arg "${A_FILES}")
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNAMESPACE=${A_NAMESPACE} -DSYMBOL=${A_SYMBOL}
            "-DFILES=${files_arg}" -P ${PROJECT_SOURCE_DIR}/cmake/EmbedFiles.cmake
    DEPENDS ${A_FILES} ${PROJECT_SOURCE_DIR}/cmake/EmbedFiles.cmake
    COMMENT "Embedding ${A_SYMBOL}" VERBATIM)
  set(${out_var} ${out} PARENT_SCOPE)
endfunction()
