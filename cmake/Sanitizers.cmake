# ASan + UBSan for the whole build, including tests and the binaries they run.
if(MV_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    add_link_options(-fsanitize=address,undefined)
endif()

# libFuzzer: every library instrumented for coverage, under ASan + UBSan (scripts/fuzz.sh).
if(MV_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
        message(FATAL_ERROR "MV_FUZZ needs clang: configure with -DCMAKE_CXX_COMPILER=clang++-14 "
                            "(scripts/fuzz.sh does)")
    endif()
    add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                        -fno-sanitize-recover=undefined)
    add_link_options(-fsanitize=address,undefined)
endif()
