# Warnings as an INTERFACE target linked privately by every component and test.
add_library(mv_warnings INTERFACE)
target_compile_options(mv_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Wunused -Woverloaded-virtual -Wimplicit-fallthrough
    -Wformat=2 -Wmissing-declarations)
if(MV_WERROR)
    target_compile_options(mv_warnings INTERFACE -Werror)
endif()
