# ASan + UBSan for the whole build, including tests and the binaries they run.
if(MV_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    add_link_options(-fsanitize=address,undefined)
    # GCC 12 with -fsanitize=address at -O1 reports -Wmaybe-uninitialized inside libstdc++'s
    # <regex> for any std::regex (GCC bug 105616), which -Werror turns into a failed build.
    # The release build keeps the warning.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
        add_compile_options(-Wno-maybe-uninitialized)
    endif()
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
